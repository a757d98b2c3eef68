# Install rules for hass. Included from the top-level CMakeLists.txt when
# HASS_INSTALL is ON.
include_guard(GLOBAL)

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Header-only and architecture independent, so a fixed lib/cmake/hass is fine.
set(HASS_INSTALL_CMAKEDIR "lib/cmake/hass"
    CACHE STRING "Install directory (relative to the prefix) for hass's CMake package files")
mark_as_advanced(HASS_INSTALL_CMAKEDIR)

install(TARGETS hass
    EXPORT hassTargets
    FILE_SET HEADERS DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

install(EXPORT hassTargets
    NAMESPACE hass::
    FILE hassTargets.cmake
    DESTINATION "${HASS_INSTALL_CMAKEDIR}")

configure_package_config_file(
    "${PROJECT_SOURCE_DIR}/cmake/hassConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/hassConfig.cmake"
    INSTALL_DESTINATION "${HASS_INSTALL_CMAKEDIR}")

write_basic_package_version_file(
    "${PROJECT_BINARY_DIR}/hassConfigVersion.cmake"
    VERSION "${PROJECT_VERSION}"
    COMPATIBILITY SameMajorVersion
    ARCH_INDEPENDENT)

install(FILES
    "${PROJECT_BINARY_DIR}/hassConfig.cmake"
    "${PROJECT_BINARY_DIR}/hassConfigVersion.cmake"
    DESTINATION "${HASS_INSTALL_CMAKEDIR}")

# The command-line tool as the imported executable hass::cli (hass_generate_hls
# runs it); tools/hass/CMakeLists.txt puts it in the hassCliTargets export set.
if(TARGET hass_cli)
    install(EXPORT hassCliTargets
        NAMESPACE hass::
        FILE hassCliTargets.cmake
        DESTINATION "${HASS_INSTALL_CMAKEDIR}")
endif()

# Optional CMake helper shipped to consumers; hassConfig.cmake includes it
# when it is installed next to it.
if(EXISTS "${PROJECT_SOURCE_DIR}/cmake/hass_generate_hls.cmake")
    install(FILES "${PROJECT_SOURCE_DIR}/cmake/hass_generate_hls.cmake"
        DESTINATION "${HASS_INSTALL_CMAKEDIR}")
endif()
