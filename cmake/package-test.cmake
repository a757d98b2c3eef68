# Package (install + find_package) smoke test.
#
# Include from tests/CMakeLists.txt:
#     include("${PROJECT_SOURCE_DIR}/cmake/package-test.cmake")
#
# Adds four ctest tests, ordered through fixtures and labelled "package":
#   package.install    cmake --install <build> --prefix <build>/package-prefix
#   package.configure  configure tests/package into <build>/package-consumer
#   package.build      build the consumer
#   package.run        run the consumer (checks hass::version_string)
# Selecting any later step (e.g. `ctest -R package.run`) pulls in the earlier
# ones automatically. Requires HASS_INSTALL=ON (no install rules otherwise).
include_guard(GLOBAL)

if(NOT HASS_INSTALL)
    message(STATUS "hass: HASS_INSTALL is OFF, skipping the package tests")
    return()
endif()

set(_hass_pkg_prefix "${PROJECT_BINARY_DIR}/package-prefix")
set(_hass_pkg_build "${PROJECT_BINARY_DIR}/package-consumer")
set(_hass_pkg_source "${PROJECT_SOURCE_DIR}/tests/package")

get_property(_hass_multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
set(_hass_config_args "")
if(_hass_multi_config)
    set(_hass_config_args --config "$<CONFIG>")
endif()

# Consumer sees the fresh prefix first, then whatever prefixes the main build
# used to find its own dependencies. `$<SEMICOLON>` keeps the list one argument.
set(_hass_pkg_prefix_path "${_hass_pkg_prefix}" ${CMAKE_PREFIX_PATH})
string(REPLACE ";" "$<SEMICOLON>" _hass_pkg_prefix_path "${_hass_pkg_prefix_path}")

set(_hass_pkg_generator_args -G "${CMAKE_GENERATOR}")
if(CMAKE_GENERATOR_PLATFORM)
    list(APPEND _hass_pkg_generator_args -A "${CMAKE_GENERATOR_PLATFORM}")
endif()
if(CMAKE_GENERATOR_TOOLSET)
    list(APPEND _hass_pkg_generator_args -T "${CMAKE_GENERATOR_TOOLSET}")
endif()
if(CMAKE_MAKE_PROGRAM)
    list(APPEND _hass_pkg_generator_args "-DCMAKE_MAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}")
endif()

# Start from a clean prefix and consumer build tree every time.
add_test(NAME package.clean
    COMMAND "${CMAKE_COMMAND}" -E rm -rf "${_hass_pkg_prefix}" "${_hass_pkg_build}")
set_tests_properties(package.clean PROPERTIES
    FIXTURES_SETUP hass_pkg_clean)

add_test(NAME package.install
    COMMAND "${CMAKE_COMMAND}" --install "${PROJECT_BINARY_DIR}"
            --prefix "${_hass_pkg_prefix}" ${_hass_config_args})
set_tests_properties(package.install PROPERTIES
    FIXTURES_REQUIRED hass_pkg_clean
    FIXTURES_SETUP hass_pkg_installed)

add_test(NAME package.configure
    COMMAND "${CMAKE_COMMAND}"
            -S "${_hass_pkg_source}"
            -B "${_hass_pkg_build}"
            ${_hass_pkg_generator_args}
            "-DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}"
            "-DCMAKE_BUILD_TYPE=$<CONFIG>"
            "-DCMAKE_PREFIX_PATH=${_hass_pkg_prefix_path}"
            -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
set_tests_properties(package.configure PROPERTIES
    FIXTURES_REQUIRED hass_pkg_installed
    FIXTURES_SETUP hass_pkg_configured)

add_test(NAME package.build
    COMMAND "${CMAKE_COMMAND}" --build "${_hass_pkg_build}" ${_hass_config_args})
set_tests_properties(package.build PROPERTIES
    FIXTURES_REQUIRED hass_pkg_configured
    FIXTURES_SETUP hass_pkg_built)

add_test(NAME package.run
    COMMAND "${_hass_pkg_build}/bin/hass_package_consumer${CMAKE_EXECUTABLE_SUFFIX}")
set_tests_properties(package.run PROPERTIES
    FIXTURES_REQUIRED hass_pkg_built)

set_tests_properties(
    package.clean package.install package.configure package.build package.run
    PROPERTIES LABELS package)

# The HLS example project (examples/hls_project) built against the installed
# package: hass_generate_hls() runs the installed hass tool (hass::cli) at build
# time, the generated test bench is built and run (C simulation, PASS):
#   package.hls_example.configure / .build / .run (after package.install)
if(TARGET hass_cli AND EXISTS "${PROJECT_SOURCE_DIR}/examples/hls_project/CMakeLists.txt")
    set(_hass_hls_build "${PROJECT_BINARY_DIR}/package-hls-example")
    add_test(NAME package.hls_example.clean
        COMMAND "${CMAKE_COMMAND}" -E rm -rf "${_hass_hls_build}")
    set_tests_properties(package.hls_example.clean PROPERTIES
        FIXTURES_SETUP hass_pkg_hls_clean)
    add_test(NAME package.hls_example.configure
        COMMAND "${CMAKE_COMMAND}"
                -S "${PROJECT_SOURCE_DIR}/examples/hls_project"
                -B "${_hass_hls_build}"
                ${_hass_pkg_generator_args}
                "-DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}"
                "-DCMAKE_BUILD_TYPE=$<CONFIG>"
                "-DCMAKE_PREFIX_PATH=${_hass_pkg_prefix_path}"
                -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
    set_tests_properties(package.hls_example.configure PROPERTIES
        FIXTURES_REQUIRED "hass_pkg_installed;hass_pkg_hls_clean"
        FIXTURES_SETUP hass_pkg_hls_configured)
    add_test(NAME package.hls_example.build
        COMMAND "${CMAKE_COMMAND}" --build "${_hass_hls_build}" ${_hass_config_args})
    set_tests_properties(package.hls_example.build PROPERTIES
        FIXTURES_REQUIRED hass_pkg_hls_configured
        FIXTURES_SETUP hass_pkg_hls_built)
    add_test(NAME package.hls_example.run
        COMMAND "${_hass_hls_build}/bin/tiny_hls_testbench${CMAKE_EXECUTABLE_SUFFIX}")
    set_tests_properties(package.hls_example.run PROPERTIES
        FIXTURES_REQUIRED hass_pkg_hls_built
        PASS_REGULAR_EXPRESSION "\nPASS\n")
    set_tests_properties(
        package.hls_example.clean package.hls_example.configure package.hls_example.build package.hls_example.run
        PROPERTIES LABELS package)
    unset(_hass_hls_build)
endif()

unset(_hass_pkg_prefix)
unset(_hass_pkg_build)
unset(_hass_pkg_source)
unset(_hass_multi_config)
unset(_hass_config_args)
unset(_hass_pkg_prefix_path)
unset(_hass_pkg_generator_args)
