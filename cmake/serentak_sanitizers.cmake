# serentak_enable_sanitizers(target): SERENTAK_SANITIZE=address (ASan+UBSan), thread (TSan) or
# fuzzer (clang: libFuzzer coverage + ASan+UBSan, for the fuzz/ targets).
set(SERENTAK_SANITIZE "" CACHE STRING "Sanitizer build: empty, 'address' (ASan+UBSan), 'thread' (TSan) or 'fuzzer' (clang)")

function(serentak_enable_sanitizers target)
  if(SERENTAK_SANITIZE STREQUAL "address")
    set(flags -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  elseif(SERENTAK_SANITIZE STREQUAL "thread")
    # Asio uses std::atomic_thread_fence, which TSan cannot see; g++ 12 warns (-Wtsan, an error under
    # -Werror) on every use. Asio synchronises through its mutexes, which TSan does see, so the warning
    # is silenced here for every target rather than by a pragma at the top of each Asio source.
    set(flags -fsanitize=thread -fno-omit-frame-pointer -Wno-error=tsan -Wno-tsan)
  elseif(SERENTAK_SANITIZE STREQUAL "fuzzer")
    # clang only: libFuzzer's coverage hooks in the libraries; the fuzz/ executables add the driver.
    set(flags -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  elseif(SERENTAK_SANITIZE STREQUAL "")
    return()
  else()
    message(FATAL_ERROR "SERENTAK_SANITIZE must be empty, 'address', 'thread' or 'fuzzer', not '${SERENTAK_SANITIZE}'")
  endif()
  target_compile_options(${target} PRIVATE ${flags})
  target_link_options(${target} PRIVATE ${flags})
endfunction()
