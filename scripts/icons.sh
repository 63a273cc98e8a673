#!/usr/bin/env bash
# Generates every icon Switchyard ships from icons/switchyard.svg: the app icon in each size
# the bundles want (PNG, ICO for Windows, ICNS for macOS), the tray icon in its three looks
# (running, paused, error) and the monochrome template macOS draws in its menu bar.
# The outputs are committed; run this again only after changing the SVG:
#   ./scripts/icons.sh
# Needs rsvg-convert (librsvg2-bin), ImageMagick and png2icns (icnsutils), installed from apt
# when missing.
set -euo pipefail
cd "$(dirname "$0")/../icons"

need=()
command -v rsvg-convert >/dev/null 2>&1 || need+=(librsvg2-bin)
# /usr/bin/convert is ImageMagick's; another `convert` earlier on PATH may not be.
[ -x /usr/bin/convert ] || need+=(imagemagick)
command -v png2icns >/dev/null 2>&1 || need+=(icnsutils)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${need[@]}"
fi
convert=/usr/bin/convert
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

png() { rsvg-convert -w "$2" -h "$2" "$1" -o "$3"; }

# The app icon.
png switchyard.svg 32 32x32.png
png switchyard.svg 128 128x128.png
png switchyard.svg 256 128x128@2x.png
png switchyard.svg 512 icon.png
for size in 16 24 32 48 64 256; do png switchyard.svg "$size" "$work/ico-$size.png"; done
"$convert" "$work"/ico-{16,24,32,48,64,256}.png icon.ico
for size in 16 32 48 128 256 512; do png switchyard.svg "$size" "$work/icns-$size.png"; done
png2icns icon.icns "$work"/icns-{16,32,48,128,256,512}.png >/dev/null

# The tray: the same mark filling the whole square (a tray icon is drawn at ~22 px, so no
# margin and heavier lines), with the look told by colour *and* by a badge, for people who
# cannot tell the colours apart: nothing while running, a pause sign when paused, an
# exclamation mark on red for an error.
tray() { # colour, badge SVG
  cat <<SVG
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
  <rect width="32" height="32" rx="7" fill="$1"/>
  <path d="M5 25h6.5c4 0 5-3.2 7-8.5s3-8.5 7.5-8.5M5 25h22M5 8h22" fill="none" stroke="#fff"
        stroke-width="3.4" stroke-linecap="round"/>
  $2
</svg>
SVG
}
pause_badge='<circle cx="24" cy="24" r="7.5" fill="#fff"/><path d="M21.6 20.5v7M26.4 20.5v7" stroke="#52525b" stroke-width="2.4" stroke-linecap="round"/>'
error_badge='<circle cx="24" cy="24" r="7.5" fill="#fff"/><path d="M24 19.8v5" stroke="#dc2626" stroke-width="2.6" stroke-linecap="round"/><circle cx="24" cy="28.4" r="1.5" fill="#dc2626"/>'
tray '#4f46e5' '' > "$work/tray-running.svg"
tray '#71717a' "$pause_badge" > "$work/tray-paused.svg"
tray '#dc2626' "$error_badge" > "$work/tray-error.svg"
for look in running paused error; do png "$work/tray-$look.svg" 64 "tray-$look.png"; done

# macOS menu bar: black on transparent, drawn by the system in the menu bar's own colour
# (icon_as_template). 44 px = 22 pt at 2x.
cat > "$work/tray-template.svg" <<SVG
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
  <path d="M3 26h8c4.2 0 5.2-3.4 7.3-9S21.4 6 26 6h3M3 26h26M3 6h26" fill="none" stroke="#000"
        stroke-width="3.6" stroke-linecap="round"/>
</svg>
SVG
png "$work/tray-template.svg" 44 tray-template.png

ls -l --block-size=K ./*.png icon.ico icon.icns
