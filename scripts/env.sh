# Puts the project's Node.js 24 and pnpm (from .tools/, see bootstrap.sh) first on PATH in the
# current shell: `source scripts/env.sh` (bash or zsh; from the repository's root in any other sh).
# Sourced, so it never exits the caller's shell, and says something only when it fails (or when
# bootstrap fetches the tools, once).
if [ -n "${BASH_VERSION:-}" ]; then
  _paystream_here="${BASH_SOURCE[0]}"
elif [ -n "${ZSH_VERSION:-}" ]; then
  eval '_paystream_here="${(%):-%x}"'
else
  _paystream_here="scripts/env.sh"
fi
_paystream_root="$(cd "$(dirname "$_paystream_here")/.." 2>/dev/null && pwd)"
if [ -x "$_paystream_root/scripts/bootstrap.sh" ] \
  && _paystream_path="$("$_paystream_root/scripts/bootstrap.sh")" && [ -n "$_paystream_path" ]; then
  case ":$PATH:" in
    *":$_paystream_path:"*) ;;
    *) export PATH="$_paystream_path:$PATH" ;;
  esac
  # What the Makefile exports too, so a command typed here behaves as it does under make.
  export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
  npm_config_nodedir="$(cd "${_paystream_path%%:*}/.." && pwd)"
  export npm_config_nodedir
else
  echo "scripts/env.sh: bootstrap failed; Node.js 24 and pnpm are not on PATH" >&2
fi
unset _paystream_here _paystream_root _paystream_path
