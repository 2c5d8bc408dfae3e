#!/usr/bin/env bash
# Generates the man pages and the bash, zsh and fish completions from the built binary's own
# --help, so they cannot drift from it: a new command or option appears in them at the next build.
# Needs only bash, awk, sed and gzip (all in a base Debian). Run by the serentak_docs target.
# Usage: scripts/gen-docs.sh path/to/serentak OUTDIR
#   OUTDIR/man/man1/serentak.1.gz, serentak-CMD.1.gz; OUTDIR/completions/{serentak.bash,_serentak,serentak.fish}
set -euo pipefail
binary=$1
out=$2
mkdir -p "$out/man/man1" "$out/completions"

version=$("$binary" --version | awk 'NR == 1 { print $NF }')
root_help=$("$binary" --help)
# The subcommands: the first word of each line of the "Subcommands:" section.
commands=$(printf '%s\n' "$root_help" | awk '/^[A-Za-z].*:$/ { in_sub = ($0 == "Subcommands:"); next }
                                             in_sub && /^  [a-z]/ { print $1 }')

# The options of one help text, one per line ("-i --input"): every -x / --long in an option's term.
options_of() {
  # The term is the row up to its first run of two spaces; "-c,--concurrency N" and
  # "-c, --concurrency N" both give "-c --concurrency".
  printf '%s\n' "$1" | awk '/^  -/ {
    term = substr($0, 3)
    if (match(term, /  /)) term = substr(term, 1, RSTART - 1)
    term = " " term
    line = ""
    while (match(term, /[, ]--?[A-Za-z0-9][A-Za-z0-9-]*/)) {
      line = line (line == "" ? "" : " ") substr(term, RSTART + 1, RLENGTH - 1)
      term = substr(term, RSTART + RLENGTH)
    }
    if (line != "") print line
  }'
}

# One help text as a man page: the first line is the NAME's description, "Usage:" the SYNOPSIS,
# each "Section:" a section whose "  term   text" rows become tagged paragraphs.
man_page() {  # name help
  printf '%s\n' "$2" | awk -v name="$1" -v version="$version" '
    function esc(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); return s }
    function para(s) { s = esc(s); if (s ~ /^[.'"'"']/) s = "\\&" s; return s }
    NR == 1 {
      title = toupper(name)
      printf ".TH %s 1 \"\" \"serentak %s\" \"User Commands\"\n.SH NAME\n%s \\- %s\n", title, version, esc(name), esc($0)
      next
    }
    /^Usage: / { sub(/^Usage: /, ""); printf ".SH SYNOPSIS\n%s\n", para($0); next }
    /^[A-Za-z][^:]*:$/ { sub(/:$/, ""); printf ".SH %s\n", toupper($0); next }
    /^  [^ ]/ {
      line = $0; sub(/^  /, "", line)
      term = line; text = ""
      if (match(line, /   +/)) { term = substr(line, 1, RSTART - 1); text = substr(line, RSTART + RLENGTH) }
      printf ".TP\n\\fB%s\\fR\n", esc(term)
      if (text != "") print para(text)
      next
    }
    /^    +[^ ]/ { line = $0; sub(/^ +/, "", line); print para(line); next }
    /^$/ { next }
    { print para($0) }
    END {
      if (name == "serentak") {
        printf ".SH SEE ALSO\nEach command has its own page: \\fBserentak\\-COMMAND\\fR(1), e.g. \\fBserentak\\-fetch\\fR(1).\n"
      } else {
        printf ".SH SEE ALSO\n\\fBserentak\\fR(1)\n"
      }
    }'
}

man_page serentak "$root_help" | gzip -9n >"$out/man/man1/serentak.1.gz"
for cmd in $commands; do
  man_page "serentak-$cmd" "$("$binary" "$cmd" --help)" | gzip -9n >"$out/man/man1/serentak-$cmd.1.gz"
done

root_options=$(options_of "$root_help" | tr '\n' ' ')

# bash
{
  echo "# bash completion for serentak; generated from its --help by scripts/gen-docs.sh"
  echo "_serentak() {"
  echo "  local cur=\"\${COMP_WORDS[COMP_CWORD]}\" opts"
  echo "  if [[ \$COMP_CWORD -eq 1 ]]; then"
  echo "    mapfile -t COMPREPLY < <(compgen -W \"$(echo $commands) $root_options\" -- \"\$cur\")"
  echo "    return"
  echo "  fi"
  echo "  case \"\${COMP_WORDS[1]}\" in"
  for cmd in $commands; do
    echo "    $cmd) opts=\"$(options_of "$("$binary" "$cmd" --help)" | tr '\n' ' ')\" ;;"
  done
  echo "    *) opts=\"\" ;;"
  echo "  esac"
  echo "  if [[ \$cur == -* ]]; then"
  echo "    mapfile -t COMPREPLY < <(compgen -W \"\$opts\" -- \"\$cur\")"
  echo "  else"
  echo "    mapfile -t COMPREPLY < <(compgen -f -- \"\$cur\")"
  echo "  fi"
  echo "}"
  echo "complete -o filenames -F _serentak serentak"
} >"$out/completions/serentak.bash"

# zsh
{
  echo "#compdef serentak"
  echo "# zsh completion for serentak; generated from its --help by scripts/gen-docs.sh"
  echo "_serentak() {"
  echo "  local -a opts"
  echo "  if (( CURRENT == 2 )); then"
  echo "    compadd -- $(echo $commands) $root_options"
  echo "    return"
  echo "  fi"
  echo "  case \$words[2] in"
  for cmd in $commands; do
    echo "    $cmd) opts=($(options_of "$("$binary" "$cmd" --help)" | tr '\n' ' ')) ;;"
  done
  echo "  esac"
  echo "  if [[ \$PREFIX == -* ]]; then compadd -- \$opts; else _files; fi"
  echo "}"
  echo "_serentak \"\$@\""
} >"$out/completions/_serentak"

# fish: one line per command and per option, with the help's description.
{
  echo "# fish completion for serentak; generated from its --help by scripts/gen-docs.sh"
  printf '%s\n' "$root_help" | awk '/^[A-Za-z].*:$/ { in_sub = ($0 == "Subcommands:"); next }
    in_sub && /^  [a-z]/ { cmd = $1; $1 = ""; sub(/^ +/, ""); gsub(/\\/, "\\\\"); gsub(/'"'"'/, "\\'"'"'");
      printf "complete -c serentak -f -n __fish_use_subcommand -a %s -d '"'"'%s'"'"'\n", cmd, $0 }'
  for cmd in $commands; do
    options_of "$("$binary" "$cmd" --help)" | while read -r -a names; do
      args=""
      for n in "${names[@]}"; do
        if [[ $n == --* ]]; then args+=" -l ${n#--}"; else args+=" -s ${n#-}"; fi
      done
      echo "complete -c serentak -n '__fish_seen_subcommand_from $cmd'$args"
    done
  done
} >"$out/completions/serentak.fish"
