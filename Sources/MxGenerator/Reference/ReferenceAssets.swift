/// The reference's style sheet and search script, shared by every page.
enum ReferenceAssets {
  static let style = """
    body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d1d1f; }
    nav { padding: 8px 16px; background: #f2f2f5; border-bottom: 1px solid #ddd; }
    main { padding: 8px 16px 32px; max-width: 1100px; }
    a { color: #0a58ca; text-decoration: none; } a:hover { text-decoration: underline; }
    h1 { font-size: 22px; margin: 12px 0 4px; } h2 { font-size: 17px; margin-top: 24px; } h3 { font-size: 15px; }
    .summary { color: #444; } .source { color: #777; font-size: 12px; } .doc { white-space: pre-line; }
    table { border-collapse: collapse; margin: 8px 0; }
    th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
    th { background: #f7f7f9; }
    td:nth-child(5) { font-size: 12px; }
    #q { width: 420px; font-size: 15px; padding: 4px 8px; }
    svg.bits { display: block; margin: 12px 0; font: 11px ui-monospace, monospace; }
    svg.bits text { text-anchor: middle; }
    svg.bits text.n { font-size: 9px; fill: #888; }
    svg.bits rect { stroke: #555; fill: #fff; }
    svg.bits rect.reserved { fill: #e6e6e6; stroke: #bbb; }
    svg.bits .rw rect { fill: #dcebff; } svg.bits .ro rect { fill: #e8f5e0; }
    svg.bits .wo rect { fill: #fff2cc; } svg.bits .w1c rect, svg.bits .w1s rect, svg.bits .rc rect { fill: #ffe0d6; }
    svg.bits .field rect { fill: #eef0ff; }

    """

  /// Filters `MX_INDEX` (search-index.js) by part of a name or by dword or byte address; a page
  /// opened with `?q=` searches for that at once (a link to a search).
  static let search = """
    (function () {
      var input = document.getElementById("q"), list = document.getElementById("results");
      function show() {
        var query = input.value.trim(), shown = 0;
        list.textContent = "";
        if (!query) return;
        var number = /^(0x[0-9a-f]+|[0-9]+)$/i.test(query) ? parseInt(query) : -2;
        var upper = query.toUpperCase();
        for (var i = 0; i < MX_INDEX.length && shown < 200; i++) {
          var entry = MX_INDEX[i], offset = entry[3];
          var byAddress = offset >= 0 && (offset === number || offset * 4 === number);
          if (!byAddress && entry[0].toUpperCase().indexOf(upper) < 0) continue;
          var item = document.createElement("li"), link = document.createElement("a");
          link.href = entry[2];
          link.textContent = entry[0];
          item.appendChild(link);
          var where = " " + entry[1];
          if (offset >= 0) where += " · dword 0x" + offset.toString(16).toUpperCase();
          item.appendChild(document.createTextNode(where));
          list.appendChild(item);
          shown++;
        }
      }
      input.addEventListener("input", show);
      var asked = new URLSearchParams(location.search).get("q");
      if (asked) input.value = asked;
      show();
    })();

    """
}
