# hass_set_warnings(<target>)
#
# Enables the project's warning set on one of hass's own targets (tests,
# examples, tools, benchmarks). Never apply this to the `hass` INTERFACE
# target: the flags would leak into every consumer.
#
# -Wconversion / -Wsign-conversion / -Wold-style-cast are intentionally not
# enabled: they are too noisy with range-v3 and Boost.Hana.
include_guard(GLOBAL)

function(hass_set_warnings target)
    if(NOT TARGET ${target})
        message(FATAL_ERROR "hass_set_warnings: '${target}' is not a target")
    endif()
    get_target_property(_hass_aliased ${target} ALIASED_TARGET)
    if(target STREQUAL "hass" OR _hass_aliased STREQUAL "hass")
        message(FATAL_ERROR "hass_set_warnings: must not be used on the public hass target")
    endif()

    if(MSVC)
        set(_hass_warnings /W4 /permissive-)
        if(HASS_WARNINGS_AS_ERRORS)
            list(APPEND _hass_warnings /WX)
        endif()
    else()
        set(_hass_warnings
            -Wall
            -Wextra
            -Wpedantic
            -Wshadow
            -Wnon-virtual-dtor
            -Woverloaded-virtual
            # the reference cost model sums regression products left to right
            # in double; a fused multiply-add would change the last bit
            -ffp-contract=off)
        if(HASS_WARNINGS_AS_ERRORS)
            list(APPEND _hass_warnings -Werror)
        endif()
    endif()

    get_target_property(_hass_type ${target} TYPE)
    if(_hass_type STREQUAL "INTERFACE_LIBRARY")
        target_compile_options(${target} INTERFACE ${_hass_warnings})
    else()
        target_compile_options(${target} PRIVATE ${_hass_warnings})
    endif()
endfunction()
