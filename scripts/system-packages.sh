#!/usr/bin/env bash
# Install the Debian packages Resonanz needs, only those missing.
#  - libpango / fonts (with emoji): PDF reports (WeasyPrint) and the dashboard screenshots
#  - chromium: the browser tests (Playwright drives the system Chromium, no downloads)
#  - openjdk-17-jre-headless: Spark local mode for the scale-out tests
set -euo pipefail
want=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-color-emoji chromium)
if ! command -v java >/dev/null 2>&1; then
  want+=(openjdk-17-jre-headless)
fi
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Please install these system packages: ${missing[*]}" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "Installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
