# SPDX-License-Identifier: Apache-2.0
# default-config.awk: turns assets/kiosk.example.toml into a kiosk.toml a kiosk can start with.
#
#   awk -v origin="TEXT" [-v feeds="URL1\nURL2"] -f default-config.awk kiosk.example.toml
#
# The example's sample [[feed]] entries (example.com addresses that would only fail) are commented
# out, so the kiosk shows its built-in demo feeds; with `feeds`, those URLs come first instead.
# Everything else (every setting with its default and its comment) is kept, so the admin edits a
# documented file. Used for the package's conffile (cmake/Packaging.cmake) and by
# scripts/install-pi.sh --feed.
BEGIN {
    n = split(feeds, url, "\n")
    nfeeds = 0
    for (i = 1; i <= n; i++) if (url[i] != "") nfeeds++
    printf "# newsroom-kiosk configuration%s.\n", (origin == "" ? "" : ", " origin)
    print "# Edit the feeds below; the running kiosk applies a valid change within seconds."
    print "# Check a change with:   newsroom-kiosk check-config /etc/newsroom-kiosk/kiosk.toml"
    print "#"
    # -1: the example's title and "Copy to ..." paragraph, which the lines above replace;
    # 0: before the first [[feed]]; 1: inside the example feeds; 2: after them
    state = -1
}
state == -1 && /^#/ { if ($0 == "#" && ++hashes == 2) state = 0; next }
state == -1 { state = 0 }   # a differently shaped example: keep the rest whole
state == 0 && /^\[\[feed\]\]/ {
    state = 1
    if (nfeeds > 0) {
        for (i = 1; i <= n; i++) if (url[i] != "") printf "[[feed]]\nurl = \"%s\"\n\n", url[i]
        print "# The feeds of the documented example follow, commented out."
    } else {
        print "# No feeds yet: the kiosk shows its built-in demo feeds. Add your own, or uncomment"
        print "# and edit the [[feed]] examples below."
    }
}
state == 1 && /^\[[a-z]/ { state = 2 }
state == 1 && !/^#/ && !/^[[:space:]]*$/ { print "# " $0; next }
{ print }
