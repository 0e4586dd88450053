#!/bin/sh
# Install gdplayground from this folder: the program, a `gdplayground` command,
# the menu entry with its icon, and the .gdp.json file type (a double-click on a
# saved session opens it in the playground).
#
#   ./install.sh                  for you alone, in ~/.local (no root needed)
#   sudo ./install.sh --system    for everyone, in /usr/local
#   ./install.sh --prefix DIR     in DIR (bin/, lib/gdplayground/, share/)
#   ./install.sh --uninstall      remove it again (with the same --system or --prefix)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix="${HOME:-}/.local"
user_install=1
action=install

while [ $# -gt 0 ]; do
  case "$1" in
    --system) prefix=/usr/local; user_install=0 ;;
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a folder, e.g. --prefix /opt/gdplayground" >&2; exit 2; }
              prefix=$2; user_install=0; shift ;;
    --prefix=*) prefix=${1#--prefix=}; user_install=0 ;;
    --uninstall) action=uninstall ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$1': write --system, --prefix DIR or --uninstall" >&2; exit 2 ;;
  esac
  shift
done
case "$prefix" in
  /*) ;;
  *) prefix="$(pwd)/$prefix" ;;
esac
case "$prefix" in
  *[\"\`\$\\\|\&%]*)
    echo "install.sh: the folder '$prefix' has one of \" \` \$ \\ | & % in its name, which a menu entry cannot hold: choose another with --prefix" >&2
    exit 2 ;;
esac

app="$prefix/lib/gdplayground"
bin="$prefix/bin/gdplayground"
share="$prefix/share"
mime_type=application/x-gdplayground-session
icon_sizes="16 22 24 32 48 64 128 256"

have() { command -v "$1" >/dev/null 2>&1; }

refresh_caches() {
  if have update-mime-database && [ -d "$share/mime/packages" ]; then
    update-mime-database "$share/mime" >/dev/null 2>&1 || true
  fi
  if have update-desktop-database; then
    update-desktop-database -q "$share/applications" 2>/dev/null || true
  fi
  if have gtk-update-icon-cache && [ -f "$share/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$share/icons/hicolor" 2>/dev/null || true
  fi
}

uninstall() {
  rm -rf "$app"
  rm -f "$bin" "$share/applications/gdplayground.desktop" \
    "$share/metainfo/gdplayground.metainfo.xml" "$share/mime/packages/gdplayground.xml" \
    "$share/icons/hicolor/scalable/apps/gdplayground.svg"
  for size in $icon_sizes; do
    rm -f "$share/icons/hicolor/${size}x${size}/apps/gdplayground.png"
  done
  refresh_caches
  echo "gdplayground removed from $prefix"
}

if [ "$action" = uninstall ]; then
  uninstall
  exit 0
fi

if [ ! -x "$here/gdplayground/gdplayground" ]; then
  echo "install.sh: $here/gdplayground/gdplayground is missing: run install.sh from the unpacked archive" >&2
  exit 1
fi

# The program: a copy of the bundle, and a small launcher on PATH.
mkdir -p "$prefix/lib" "$prefix/bin"
rm -rf "$app.new"
cp -R "$here/gdplayground" "$app.new"
rm -rf "$app"
mv "$app.new" "$app"
cat > "$bin" <<EOF
#!/bin/sh
exec "$app/gdplayground" "\$@"
EOF
chmod 755 "$bin"

# Menu entry (its Exec names the launcher by its full path, so it works even
# where $prefix/bin is not on PATH), AppStream metadata, MIME type, icons.
mkdir -p "$share/applications" "$share/metainfo" "$share/mime/packages"
sed -e "s|^Exec=.*|Exec=\"$bin\" %f|" \
  "$here/share/applications/gdplayground.desktop" > "$share/applications/gdplayground.desktop"
cp "$here/share/metainfo/gdplayground.metainfo.xml" "$share/metainfo/"
cp "$here/share/mime/packages/gdplayground.xml" "$share/mime/packages/"
for size in $icon_sizes; do
  mkdir -p "$share/icons/hicolor/${size}x${size}/apps"
  cp "$here/share/icons/hicolor/${size}x${size}/apps/gdplayground.png" \
    "$share/icons/hicolor/${size}x${size}/apps/"
done
mkdir -p "$share/icons/hicolor/scalable/apps"
cp "$here/share/icons/hicolor/scalable/apps/gdplayground.svg" "$share/icons/hicolor/scalable/apps/"
refresh_caches

# For a personal install, make the playground the default for sessions.
if [ "$user_install" = 1 ] && have xdg-mime; then
  xdg-mime default gdplayground.desktop "$mime_type" 2>/dev/null || true
fi

echo "gdplayground installed in $prefix"
echo "  start it from the menu (Education), or run: $bin"
case ":${PATH:-}:" in
  *":$prefix/bin:"*) ;;
  *) echo "  ($prefix/bin is not on your PATH: add it to type just 'gdplayground')" ;;
esac
