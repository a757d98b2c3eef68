# ctest sanitize.asan: builds the fast unit-test subset (hass_unit_tests_sanitize)
# and the reader fuzz driver (hass_reader_fuzz) with AddressSanitizer and
# UndefinedBehaviorSanitizer in a build tree of its own, then runs both. Any
# sanitizer report aborts the run (-fno-sanitize-recover=all) and fails the test.
#
#   cmake -DSOURCE_DIR=... -DBINARY_DIR=... -DCXX=... -DJOBS=2 -DMUTANTS=300 -P sanitize-test.cmake
foreach(v SOURCE_DIR BINARY_DIR CXX)
    if(NOT DEFINED ${v})
        message(FATAL_ERROR "sanitize-test.cmake needs -D${v}=...")
    endif()
endforeach()
if(NOT DEFINED JOBS)
    set(JOBS 2)
endif()
if(NOT DEFINED MUTANTS)
    set(MUTANTS 300)
endif()
set(flags "-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all")

function(run_step what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "sanitize.asan: ${what} failed (${rc})")
    endif()
endfunction()

run_step("configure" ${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${BINARY_DIR}" -G Ninja
         -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_COMPILER=${CXX}" "-DCMAKE_CXX_FLAGS=${flags}"
         "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined"
         -DHASS_BUILD_TESTS=ON -DHASS_BUILD_TOOLS=OFF -DHASS_BUILD_EXAMPLES=OFF -DHASS_BUILD_BENCHMARKS=OFF
         -DHASS_INSTALL=OFF -DHASS_SANITIZE_TEST=OFF)
run_step("build" ${CMAKE_COMMAND} --build "${BINARY_DIR}" --target hass_unit_tests_sanitize hass_reader_fuzz
         -j ${JOBS})
set(ENV{ASAN_OPTIONS} "detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0")
set(ENV{UBSAN_OPTIONS} "print_stacktrace=1:halt_on_error=1")
run_step("unit tests under ASan+UBSan" "${BINARY_DIR}/tests/hass_unit_tests_sanitize" --order lex)
run_step("reader fuzzing under ASan+UBSan" "${BINARY_DIR}/fuzz/hass_reader_fuzz" --mutants ${MUTANTS} --seed 2
         --timeout 120 --corpus "${SOURCE_DIR}/fuzz/corpus-json")
