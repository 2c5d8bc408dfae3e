# serentak_enable_warnings(target): the project's warning set; SERENTAK_WERROR turns them into errors (CI).
option(SERENTAK_WERROR "Treat compiler warnings as errors" OFF)

function(serentak_enable_warnings target)
  # No -Wnull-dereference: at -O2 it reports false positives inside Boost.Asio's own headers.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Woverloaded-virtual
                                           -Wimplicit-fallthrough)
  if(SERENTAK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
