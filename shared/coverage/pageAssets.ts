/** The dashboard's style and script, inlined under the page's CSP nonce (no file to serve, no CDN). */
export const PAGE_CSS = `
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#1d2330;background:#fafbfc}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}h3{font-size:1rem;margin:1rem 0 .2rem}
table{border-collapse:collapse}td,th{padding:.25rem .6rem;border-bottom:1px solid #e3e6eb;text-align:left;vertical-align:top}
th{font-weight:600;background:#eef1f5}.muted{color:#68707d}.mono{font-family:ui-monospace,monospace;font-size:12px}
.legend{list-style:none;padding:0;display:flex;gap:1rem;margin:.3rem 0}.legend li{display:flex;align-items:center;gap:.3rem}
.row,.hours{display:flex;align-items:center;gap:.4rem;height:11px;margin:1px 0}.day{width:6.5rem;font:11px ui-monospace,monospace}
.cells{display:grid;grid-template-columns:repeat(96,8px);gap:1px}.hh{display:grid;grid-template-columns:repeat(24,36px);font:10px ui-monospace,monospace;color:#68707d}
.cnt{font:11px ui-monospace,monospace;color:#68707d}
.q{display:inline-block;width:8px;height:10px;border-radius:1px}
.landed{background:#2e9d5b}.unpublished{background:#e6b422}.missing{background:#d64545}.gap{background:#7b3fa0}.notdue{background:#d9dde3}
.st-succeeded,.st-Completed{color:#1f7a45}.st-partial{color:#a86b00}.st-failed,.st-Failed{color:#b3261e}
button{font:inherit;cursor:pointer;border:1px solid #b9c0ca;background:#fff;border-radius:3px;padding:.1rem .5rem}
#timeline{margin-top:1rem}.tl-row{display:flex;align-items:center;gap:.5rem;margin:2px 0;font-size:12px}
.tl-label{width:18rem;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.tl-track{position:relative;flex:1;height:12px;background:#eef1f5}
.tl-bar{position:absolute;top:0;height:12px;min-width:2px;border-radius:2px}.tl-ok{background:#2e9d5b}.tl-fail{background:#d64545}.tl-timer{background:#6b8fd6}.tl-run{background:#1d2330}
.tl-err{color:#b3261e;font-size:12px;margin:0 0 4px 18.5rem;word-break:break-all}
`;

/** Clicking a run fetches its history from the run API, with the key the page was loaded with. */
export const PAGE_SCRIPT = `
(function(){
  var code = new URLSearchParams(location.search).get('code');
  var box = document.getElementById('timeline');
  function el(tag, cls, text){ var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function show(id, run){
    box.replaceChildren();
    box.appendChild(el('h2', '', 'Timeline of ' + id));
    var tl = run.timeline || [];
    if (!tl.length){ box.appendChild(el('p', 'muted', 'No history recorded.')); return; }
    var t0 = Math.min.apply(null, tl.map(function(e){ return Date.parse(e.start); }));
    var t1 = Math.max.apply(null, tl.map(function(e){ return Date.parse(e.end); }));
    var span = Math.max(1, t1 - t0);
    tl.forEach(function(e){
      var row = el('div', 'tl-row'); row.dataset.kind = e.kind; row.dataset.ok = String(e.ok);
      var label = e.name + (e.attempt ? ' · attempt ' + e.attempt : '') + ' · ' + ((Date.parse(e.end) - Date.parse(e.start)) / 1000).toFixed(1) + ' s';
      row.appendChild(el('span', 'tl-label', label));
      var track = el('span', 'tl-track');
      var bar = el('span', 'tl-bar ' + (e.kind === 'timer' ? 'tl-timer' : e.kind === 'run' ? (e.ok ? 'tl-run' : 'tl-fail') : (e.ok ? 'tl-ok' : 'tl-fail')));
      bar.style.left = ((Date.parse(e.start) - t0) / span * 100) + '%';
      bar.style.width = ((Date.parse(e.end) - Date.parse(e.start)) / span * 100) + '%';
      bar.title = e.start + ' → ' + e.end;
      track.appendChild(bar); row.appendChild(track); box.appendChild(row);
      if (e.error) box.appendChild(el('div', 'tl-err', e.error));
    });
  }
  document.addEventListener('click', function(ev){
    var b = ev.target && ev.target.closest ? ev.target.closest('button[data-run]') : null;
    if (!b) return;
    var id = b.getAttribute('data-run');
    var url = 'runs/' + encodeURIComponent(id) + '?showHistory=true' + (code ? '&code=' + encodeURIComponent(code) : '');
    box.replaceChildren(el('p', 'muted', 'Loading ' + id + '…'));
    fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function(r){ if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function(run){ show(id, run); })
      .catch(function(err){ box.replaceChildren(el('p', 'tl-err', 'Could not load ' + id + ': ' + err.message)); });
  });
})();
`;
