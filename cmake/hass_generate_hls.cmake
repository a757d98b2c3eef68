# hass_generate_hls(<target>
#     DESIGN <network-file>                      # a network JSON file with its folding inline
#   | MODEL <zoo-name-or-file> BOARD <board>     # the optimal folding search picks the folding
#     [FOLDING <file>]                           # a folding file (with DESIGN or MODEL)
#     [WEIGHTS <file>]                           # JSON or raw float32 weights (docs/hls.md)
#     [SEED <n>] [TOP <name>] [NAMESPACE <ns>]   # test bench seed, top function, C++ namespace
#     OUTPUT_DIR <dir>)
#
# Runs `hass emit-hls` at build time (docs/hls.md, "From a design to HLS") and
# creates <target>, an INTERFACE library whose include directory is <dir> (the
# generated design.hpp, layers/<name>.hpp, squeezes.hpp, top.hpp), whose
# sources carry the generated top.cpp, and which links hass::hass. Targets that
# link <target> are built after the generation; the generation re-runs when the
# design, folding, weights or board file, or the generator, changes.
#
# Sets in the caller's scope:
#   <target>_TESTBENCH   <dir>/testbench.cpp (the C-simulation test bench)
#   <target>_TOP_SOURCE  <dir>/top.cpp
#   <target>_FILES       every generated file CMake knows by name
#
# The generator: the `hass_cli` target inside the hass build tree, else the
# imported executable `hass::cli` of the installed hass package, else the
# variable HASS_CLI_EXECUTABLE (or a `hass` program found on the PATH).
#
# Example (a host C-simulation of the test bench):
#   find_package(hass CONFIG REQUIRED)
#   hass_generate_hls(tiny_hls DESIGN ${CMAKE_CURRENT_SOURCE_DIR}/tiny_design.json
#                     OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/hls)
#   add_executable(tiny_tb ${tiny_hls_TESTBENCH})
#   target_link_libraries(tiny_tb PRIVATE tiny_hls)
#   target_compile_definitions(tiny_tb PRIVATE HASS_HLS_HOST)
include_guard(GLOBAL)

function(hass_generate_hls target)
    cmake_parse_arguments(PARSE_ARGV 1 ARG ""
        "DESIGN;MODEL;BOARD;FOLDING;WEIGHTS;SEED;TOP;NAMESPACE;OUTPUT_DIR" "")
    if(ARG_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "hass_generate_hls: unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
    endif()
    if(NOT ARG_OUTPUT_DIR)
        message(FATAL_ERROR "hass_generate_hls(${target}): OUTPUT_DIR is required")
    endif()
    if(ARG_DESIGN AND ARG_MODEL)
        message(FATAL_ERROR "hass_generate_hls(${target}): give DESIGN or MODEL, not both")
    endif()
    if(NOT ARG_DESIGN AND NOT ARG_MODEL)
        message(FATAL_ERROR "hass_generate_hls(${target}): give DESIGN <file> or MODEL <name> BOARD <board>")
    endif()
    if(ARG_MODEL AND NOT ARG_BOARD AND NOT ARG_FOLDING)
        message(FATAL_ERROR "hass_generate_hls(${target}): MODEL needs BOARD (to search the folding) or FOLDING")
    endif()
    if(TARGET ${target})
        message(FATAL_ERROR "hass_generate_hls: target '${target}' already exists")
    endif()

    # the generator
    if(TARGET hass_cli)
        set(_generator "$<TARGET_FILE:hass_cli>")
        set(_generator_dep hass_cli)
    elseif(TARGET hass::cli)
        set(_generator "$<TARGET_FILE:hass::cli>")
        set(_generator_dep "$<TARGET_FILE:hass::cli>")
    else()
        if(NOT HASS_CLI_EXECUTABLE)
            find_program(HASS_CLI_EXECUTABLE hass)
        endif()
        if(NOT HASS_CLI_EXECUTABLE)
            message(FATAL_ERROR "hass_generate_hls(${target}): the hass generator is not available (no hass_cli "
                                "or hass::cli target; set HASS_CLI_EXECUTABLE to the `hass` program)")
        endif()
        set(_generator "${HASS_CLI_EXECUTABLE}")
        set(_generator_dep "${HASS_CLI_EXECUTABLE}")
    endif()

    # inputs: absolute paths (relative ones are relative to the calling source directory)
    set(_depends ${_generator_dep})
    set(_args emit-hls)
    foreach(_key DESIGN MODEL BOARD FOLDING WEIGHTS)
        set(_value "${ARG_${_key}}")
        if(NOT _value)
            continue()
        endif()
        set(_path "${_value}")
        if(NOT IS_ABSOLUTE "${_path}")
            set(_path "${CMAKE_CURRENT_SOURCE_DIR}/${_path}")
        endif()
        # DESIGN, FOLDING and WEIGHTS are files; MODEL and BOARD may be catalogue names
        if(_key MATCHES "^(DESIGN|FOLDING|WEIGHTS)$" OR EXISTS "${_path}" OR _value MATCHES "\\.json$")
            if(NOT EXISTS "${_path}")
                message(FATAL_ERROR "hass_generate_hls(${target}): ${_key} file '${_path}' does not exist")
            endif()
            list(APPEND _depends "${_path}")
            set(_value "${_path}")
        endif()
        if(_key STREQUAL "DESIGN" OR _key STREQUAL "MODEL")
            list(APPEND _args "${_value}")
        else()
            string(TOLOWER "${_key}" _option)
            list(APPEND _args "--${_option}" "${_value}")
        endif()
    endforeach()
    if(ARG_SEED)
        list(APPEND _args --seed "${ARG_SEED}")
    endif()
    if(ARG_TOP)
        list(APPEND _args --top "${ARG_TOP}")
    endif()
    if(ARG_NAMESPACE)
        list(APPEND _args --namespace "${ARG_NAMESPACE}")
    endif()

    set(_dir "${ARG_OUTPUT_DIR}")
    if(NOT IS_ABSOLUTE "${_dir}")
        set(_dir "${CMAKE_CURRENT_BINARY_DIR}/${_dir}")
    endif()
    # the files with fixed names (the layer headers, named after the layers, are
    # rewritten together with them: top.hpp includes every one of them)
    set(_outputs
        "${_dir}/design.hpp"
        "${_dir}/squeezes.hpp"
        "${_dir}/top.hpp"
        "${_dir}/top.cpp"
        "${_dir}/testbench.cpp"
        "${_dir}/design.json")
    if(ARG_WEIGHTS)
        list(APPEND _outputs "${_dir}/weights.hpp")
    endif()

    add_custom_command(
        OUTPUT ${_outputs}
        COMMAND "${_generator}" ${_args} --out "${_dir}" --quiet
        DEPENDS ${_depends}
        COMMENT "hass emit-hls: generating ${target} in ${_dir}"
        VERBATIM)
    add_custom_target(${target}_generate DEPENDS ${_outputs})

    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE "${_dir}")
    target_sources(${target} INTERFACE "${_dir}/top.cpp")
    target_compile_features(${target} INTERFACE cxx_std_20)
    if(TARGET hass::hass)
        target_link_libraries(${target} INTERFACE hass::hass)
    elseif(TARGET hass)
        target_link_libraries(${target} INTERFACE hass)
    endif()
    # consumers of the INTERFACE library are built after the generation
    add_dependencies(${target} ${target}_generate)

    set(${target}_TESTBENCH "${_dir}/testbench.cpp" PARENT_SCOPE)
    set(${target}_TOP_SOURCE "${_dir}/top.cpp" PARENT_SCOPE)
    set(${target}_FILES ${_outputs} PARENT_SCOPE)
endfunction()
