#!/usr/bin/env bash
# The HTML reference (`gen doc --html`) in a real browser, Debian's chromium, headless: its search
# finds registers by part of a name, by dword and by byte address (the `?q=` of a search link),
# and a register page draws its bit diagram — every field a box of its width, filled as its access
# says. A page that only parses as XML could still fail at either. Usage: reference-in-browser.sh GEN
set -euo pipefail
gen="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$gen" doc --html "$work/reference" --quiet

# What chromium shows once the page's scripts have run (file:// pages may read each other).
browse() {
  chromium --headless --no-sandbox --disable-gpu --allow-file-access-from-files --virtual-time-budget=5000 \
    --dump-dom "$1" 2>/dev/null
}

search() {
  local query="$1" expected="$2"
  # The whole page first: a grep that stops at its first match would cut the pipe (SIGPIPE).
  local page
  page="$(browse "file://$work/reference/index.html?q=$query")"
  if ! grep -q ">$expected</a>" <<<"$page"; then
    echo "error: the reference's search for '$query' does not find $expected"; exit 1
  fi
}
search msgbuf_trn_dw MAILBOX_MSGBUF_TRN_DW0
search 0x14D0 MAILBOX_CONTROL
search 0x5340 MAILBOX_CONTROL
search 0xc91c CP_HQD_ACTIVE
nothing="$(browse "file://$work/reference/index.html?q=NO_SUCH_REGISTER")"
if grep -q '<ol id="results"><li>' <<<"$nothing"; then
  echo "error: the reference's search finds something for a name no register has"; exit 1
fi

# The diagram as laid out: the SVG's size, then each field's box and its computed fill.
cat > "$work/diagram.html" <<'HTML'
<!DOCTYPE html>
<html><body><pre id="out">the register page did not load</pre>
<iframe id="page" src="reference/blocks/bif_5_0/MAILBOX_CONTROL.html" width="1200" height="800"></iframe>
<script>
document.getElementById("page").addEventListener("load", function () {
  var page = this.contentDocument, out = [];
  var box = page.querySelector("svg.bits").getBoundingClientRect();
  out.push("diagram " + Math.round(box.width) + "x" + Math.round(box.height));
  page.querySelectorAll("svg.bits g").forEach(function (field) {
    var rect = field.querySelector("rect"), r = rect.getBoundingClientRect();
    out.push(field.querySelector("title").textContent + ": " + Math.round(r.width) + "x" + Math.round(r.height)
      + " " + getComputedStyle(rect).fill);
  });
  document.getElementById("out").textContent = out.join("\n");
});
</script></body></html>
HTML
expected='diagram 834x56
RCV_MSG_ACK bit 9, rw: 24x32 rgb(220, 235, 255)
RCV_MSG_VALID bit 8, ro: 24x32 rgb(232, 245, 224)
TRN_MSG_ACK bit 1, ro: 24x32 rgb(232, 245, 224)
TRN_MSG_VALID bit 0, rw: 24x32 rgb(220, 235, 255)'
drawn="$(browse "file://$work/diagram.html" | sed -n '/<pre id="out">/,/<\/pre>/p' | sed -e 's/.*<pre id="out">//' -e 's/<\/pre>.*//')"
if [ "$drawn" != "$expected" ]; then
  printf 'error: MAILBOX_CONTROL'"'"'s bit diagram is not drawn as expected:\n%s\n' "$drawn"; exit 1
fi
echo "the reference searches and draws in chromium"
