# Issue 13: a catalog of up to 1M routes (split latency, propagation, RSS, engine heap, RocksDB size).
# Starts its own routecatd processes (ROUTECATD) and etcd; one part per file. It needs no Google
# Benchmark, so the release test build builds it too and runs a small version (tests/CMakeLists.txt).
set(scale_dir ${CMAKE_SOURCE_DIR}/bench)
add_executable(scale_bench ${scale_dir}/scale_bench.cpp ${scale_dir}/scale_daemon.cpp ${scale_dir}/scale_engine.cpp
                           ${scale_dir}/scale_split.cpp ${scale_dir}/scale_propagation.cpp ${scale_dir}/scale_history.cpp)
target_link_libraries(scale_bench PRIVATE routecat::catalog routecat::rocksdb routecat::etcd Boost::json RocksDB::rocksdb)
target_include_directories(scale_bench PRIVATE ${CMAKE_SOURCE_DIR}/tests)
add_dependencies(scale_bench routecatd)
target_compile_definitions(scale_bench PRIVATE ROUTECATD="$<TARGET_FILE:routecatd>")
set_target_properties(scale_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
