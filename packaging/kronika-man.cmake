# Writes the kronika(1) man page from the program's own --help texts, so the page lists
# every command and subcommand with exactly the options the binary takes.
#   cmake -DKRONIKA=<kronika binary> -DVERSION=<x.y.z> -DOUT=<kronika.1> -P kronika-man.cmake

function(help_of out_var)  # help_of(<var> [command [subcommand]])
  execute_process(COMMAND ${KRONIKA} ${ARGN} --help RESULT_VARIABLE rc OUTPUT_VARIABLE text ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "kronika ${ARGN} --help: exit ${rc}: ${err}")
  endif()
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

# Names listed in a help section: lines "  name description" after the line `heading`,
# up to the next blank line.
function(names_in text heading out_var)
  set(names "")
  string(FIND "${text}" "${heading}\n" at)
  if(NOT at EQUAL -1)
    string(SUBSTRING "${text}" ${at} -1 section)
    string(FIND "${section}" "\n\n" end)
    if(NOT end EQUAL -1)
      string(SUBSTRING "${section}" 0 ${end} section)
    endif()
    string(REGEX MATCHALL "\n  [a-z][a-z0-9-]* " found "${section}")
    foreach(match IN LISTS found)
      string(STRIP "${match}" name)
      list(APPEND names ${name})
    endforeach()
  endif()
  set(${out_var} "${names}" PARENT_SCOPE)
endfunction()

# Help text as a no-fill roff block: backslashes escaped, control characters at a line's
# start neutralised.
function(roff_block text out_var)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out_var} ".nf\n${text}\n.fi\n" PARENT_SCOPE)
endfunction()

help_of(top)
names_in("${top}" "commands:" commands)
if(NOT commands)
  message(FATAL_ERROR "kronika --help lists no commands")
endif()

roff_block("${top}" top_block)
set(page ".TH KRONIKA 1 \"\" \"kronika ${VERSION}\" \"Kronika\"
.SH NAME
kronika \\- SIPREC session recording server (RFC 7866) and its tools
.SH SYNOPSIS
.B kronika
.I command
.RI [ subcommand ]
.RI [ options ]
.SH DESCRIPTION
${top_block}.SH COMMANDS
Each command and subcommand prints the text below with
.BR \\-\\-help .
")
foreach(command IN LISTS commands)
  help_of(text ${command})
  roff_block("${text}" block)
  string(APPEND page ".SS kronika ${command}\n${block}")
  names_in("${text}" "Subcommands:" subcommands)
  foreach(sub IN LISTS subcommands)
    help_of(subtext ${command} ${sub})
    roff_block("${subtext}" subblock)
    string(APPEND page ".SS kronika ${command} ${sub}\n${subblock}")
  endforeach()
endforeach()
string(APPEND page ".SH FILES
.TP
.I /etc/kronika/kronika.toml
the configuration (every option: /usr/share/doc/kronika/configuration.md)
.TP
.I /etc/kronika/sites/
sample site policies
.TP
.I /var/lib/kronika/
the data directory: recordings, database, listening register, keys
.SH SEE ALSO
.BR systemctl (1),
.BR journalctl (1);
/usr/share/doc/kronika/ (operations.md: installing, running, metrics, backup)
")
file(WRITE ${OUT} "${page}")
