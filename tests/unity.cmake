# Unity builds of the test targets: their files share most of what they compile (Boost.Test, Asio's
# coroutine machinery, the fixtures and helpers of support/), so compiling a target's files as one
# translation unit costs much less than compiling them one by one (CPU time: asan,
# catalog_watcher_test.cpp 29.5 s and catalog_split_test.cpp 17.3 s apart, these two and
# catalog_writes_test.cpp as one 28.1 s; release, core_tests' first 8 files 99 s apart, 74 s as one).
# CI builds everything from scratch, twice.
option(ROUTECAT_TEST_UNITY "Compile each test target's files as one translation unit" ON)

# A test main (#define BOOST_TEST_MODULE before its first #include) stays a file of its own. In one
# unity file every fixture in an anonymous namespace used as a test case's base is "from another
# file" to g++'s -Wsubobject-linkage (a warning about headers, which a unity file only imitates).
function(routecat_test_unity target)
  if(NOT ROUTECAT_TEST_UNITY)
    return()
  endif()
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
  endif()
  get_target_property(sources ${target} SOURCES)
  foreach(source IN LISTS sources)
    if(source MATCHES "\\.cpp$")
      get_filename_component(path ${source} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
      file(STRINGS ${path} module REGEX "^#define BOOST_TEST_MODULE")
      if(module)
        set_source_files_properties(${source} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
      endif()
    endif()
  endforeach()
endfunction()
