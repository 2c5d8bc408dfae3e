# serentak_enable_warnings(target): the project's warning set; SERENTAK_WERROR turns them into errors (CI).
option(SERENTAK_WERROR "Treat compiler warnings as errors" OFF)

function(serentak_enable_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Woverloaded-virtual
                                           -Wnull-dereference -Wimplicit-fallthrough)
  if(SERENTAK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
