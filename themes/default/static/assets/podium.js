/* podium default theme: progressive enhancement only.
 *
 * Every page is complete without this script. It adds:
 *  - sorting of tables marked `data-sortable` (buttons in the column heads, aria-sort);
 *  - filtering of the units directory by name;
 *  - site search over search-index.json (case- and diacritic-insensitive);
 *  - a print button on the report page.
 * No framework, no request outside the site, no error when an element is missing.
 */
(function () {
  'use strict';

  var doc = document;
  var lang = (doc.documentElement.getAttribute('lang') || 'en').toLowerCase();

  /* Lower case without diacritics, so "Hai Phong" finds "Hải Phòng" and "da nang" "Đà Nẵng". */
  function fold(text) {
    var s = String(text || '').toLowerCase();
    if (s.normalize) {
      s = s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    }
    return s.replace(/\u0111/g, 'd').replace(/\s+/g, ' ').trim();
  }

  function each(list, fn) {
    Array.prototype.forEach.call(list || [], fn);
  }

  /* ---------- numbers ---------- */

  /* A number from a `data-sort` value (`96.15`) or from text that starts with a number written
   * in the page's language (vi `1.234,5`, en `1,234.5`), ignoring what follows it (a unit, a
   * rank's change). NaN when the text does not start with one: a name that ends in a number
   * (`Chi cục 2`) is text. */
  function parseNumber(text) {
    var s = String(text == null ? '' : text).trim();
    if (s === '') { return NaN; }
    if (/^[+-]?\d+(\.\d+)?$/.test(s)) { return parseFloat(s); }
    s = s.replace(/\u2212/g, '-');
    var m = s.match(/^[+-]?\d[\d.,\u00a0\u202f ]*/);
    if (!m) { return NaN; }
    var n = m[0].replace(/[\u00a0\u202f ]/g, '');
    if (lang.indexOf('vi') === 0) {
      n = n.replace(/\./g, '').replace(',', '.');
    } else {
      n = n.replace(/,/g, '');
    }
    return parseFloat(n);
  }

  /* ---------- sortable tables ---------- */

  /* A cell sorts by its `data-sort` value when it has one, else by its text; a cell that shows
   * only the mark of a missing value (a dash, and words for screen readers) sorts as empty. */
  function sortKey(cell) {
    if (!cell) { return ''; }
    var raw = cell.getAttribute('data-sort');
    if (raw !== null) { return raw; }
    var none = cell.querySelector('.none-mark');
    if (none && cell.textContent.trim() === none.textContent.trim()) { return ''; }
    return (cell.textContent || '').trim();
  }

  var tableCount = 0;

  function initSortable(table) {
    var tableId = String(tableCount++);
    var head = table.tHead;
    var body = table.tBodies && table.tBodies[0];
    if (!head || !body || table.tBodies.length !== 1) { return; }
    var row = head.rows[head.rows.length - 1];
    if (!row) { return; }
    var original = Array.prototype.slice.call(body.rows);
    original.forEach(function (tr, i) { tr.setAttribute('data-order', String(i)); });
    var collator = window.Intl && Intl.Collator ? new Intl.Collator(lang, { sensitivity: 'base', numeric: true }) : null;

    // The head keeps its text in a label; the button beside it is named by that label, and a
    // click anywhere in the head sorts too. (Chrome does not repeat form controls in table heads
    // repeated on printed pages, so the text must not live inside the button.)
    each(row.cells, function (th, index) {
      if (th.hasAttribute('data-nosort') || th.colSpan > 1) { return; }
      var label = doc.createElement('span');
      label.className = 'th-label';
      label.id = 'sort-' + tableId + '-' + index;
      while (th.firstChild) { label.appendChild(th.firstChild); }
      th.appendChild(label);
      var button = doc.createElement('button');
      button.type = 'button';
      button.className = 'sort-button';
      button.setAttribute('aria-labelledby', label.id);
      var icon = doc.createElement('span');
      icon.className = 'sort-icon';
      icon.setAttribute('aria-hidden', 'true');
      button.appendChild(icon);
      th.appendChild(button);
      th.classList.add('is-sortable');
      th.addEventListener('click', function (ev) {
        if (ev.target !== button && !button.contains(ev.target) && !(ev.target.closest && ev.target.closest('a'))) {
          button.click();
        }
      });
      button.addEventListener('click', function () {
        var current = th.getAttribute('aria-sort');
        var first = th.getAttribute('data-sort-dir') === 'desc' ? 'descending' : 'ascending';
        var next = current === first ? (first === 'ascending' ? 'descending' : 'ascending') : first;
        sortBy(index, next);
        each(row.cells, function (other) {
          if (other !== th) { other.removeAttribute('aria-sort'); }
        });
        th.setAttribute('aria-sort', next);
      });
    });

    function sortBy(index, direction) {
      var rows = Array.prototype.slice.call(body.rows);
      var keys = rows.map(function (tr) { return sortKey(tr.cells[index]); });
      var numeric = keys.every(function (k) { return k === '' || !isNaN(parseNumber(k)); });
      var items = rows.map(function (tr, i) {
        return { tr: tr, key: numeric ? parseNumber(keys[i]) : keys[i], order: +tr.getAttribute('data-order') };
      });
      var sign = direction === 'descending' ? -1 : 1;
      items.sort(function (a, b) {
        var c;
        if (numeric) {
          var an = isNaN(a.key), bn = isNaN(b.key);
          if (an || bn) { return an === bn ? a.order - b.order : (an ? 1 : -1); }
          c = a.key - b.key;
        } else {
          c = collator ? collator.compare(a.key, b.key) : (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
        }
        return c !== 0 ? sign * c : a.order - b.order;
      });
      var frag = doc.createDocumentFragment();
      items.forEach(function (it) { frag.appendChild(it.tr); });
      body.appendChild(frag);
    }
  }

  /* ---------- units directory filter ---------- */

  function initUnitFilter(box) {
    var input = box.querySelector('input');
    var status = box.querySelector('[aria-live]');
    var items = doc.querySelectorAll('li[data-name]');
    var groups = doc.querySelectorAll('[data-unit-group]');
    var empty = doc.querySelector('[data-filter-empty]');
    if (!input || !items.length) { return; }
    var names = Array.prototype.map.call(items, function (li) { return fold(li.getAttribute('data-name')); });
    box.hidden = false;

    function apply() {
      var q = fold(input.value);
      var shown = 0;
      each(items, function (li, i) {
        var match = q === '' || names[i].indexOf(q) !== -1;
        li.hidden = !match;
        if (match) { shown += 1; }
      });
      each(groups, function (g) {
        g.hidden = !g.querySelector('li[data-name]:not([hidden])');
      });
      if (empty) { empty.hidden = shown !== 0; }
      if (status) {
        var tpl = status.getAttribute('data-template') || '{n}/{total}';
        status.textContent = q === '' ? '' : tpl.replace('{n}', String(shown)).replace('{total}', String(items.length));
      }
    }
    input.addEventListener('input', apply);
    apply();
  }

  /* ---------- site search ---------- */

  function initSearch(form) {
    var input = form.querySelector('input[type="search"]');
    var results = form.querySelector('[data-search-results]');
    var status = form.querySelector('[aria-live]');
    var root = form.getAttribute('data-root') || '';
    var url = form.getAttribute('data-index');
    if (!input || !results || !url || !window.fetch) { return; }
    var index = null;
    var loading = null;
    form.hidden = false;

    function load() {
      if (!loading) {
        loading = fetch(url, { credentials: 'same-origin' })
          .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
          .then(function (entries) {
            index = (entries || []).map(function (e) {
              return { e: e, title: fold(e.title), text: fold(e.text) };
            });
          })
          .catch(function () {
            index = [];
            show([], form.getAttribute('data-error') || '');
          });
      }
      return loading;
    }

    function show(list, message) {
      results.innerHTML = '';
      if (message) {
        var p = doc.createElement('p');
        p.className = 'search-message';
        p.textContent = message;
        results.appendChild(p);
      }
      if (list.length) {
        var ul = doc.createElement('ul');
        list.forEach(function (e) {
          var li = doc.createElement('li');
          var a = doc.createElement('a');
          a.href = /^[a-z]+:/i.test(e.url) ? e.url : root + String(e.url).replace(/^\//, '');
          a.textContent = e.title;
          li.appendChild(a);
          var kind = form.getAttribute('data-kind-' + e.kind);
          if (kind) {
            var k = doc.createElement('span');
            k.className = 'search-kind';
            k.textContent = kind;
            li.appendChild(doc.createTextNode(' '));
            li.appendChild(k);
          }
          ul.appendChild(li);
        });
        results.appendChild(ul);
      }
      results.hidden = !message && !list.length;
    }

    function search() {
      var q = fold(input.value);
      if (q.length < 2) {
        show([], '');
        if (status) { status.textContent = ''; }
        return;
      }
      load().then(function () {
        if (fold(input.value) !== q) { return; }
        var words = q.split(' ');
        var hits = [];
        index.forEach(function (it) {
          var score = 0;
          for (var i = 0; i < words.length; i++) {
            var inTitle = it.title.indexOf(words[i]) !== -1;
            if (!inTitle && it.text.indexOf(words[i]) === -1) { return; }
            score += inTitle ? 2 : 1;
          }
          if (it.title.indexOf(q) === 0) { score += 3; }
          hits.push({ e: it.e, score: score });
        });
        hits.sort(function (a, b) { return b.score - a.score; });
        var list = hits.slice(0, 12).map(function (h) { return h.e; });
        var count = (form.getAttribute('data-count') || '{n}').replace('{n}', String(hits.length));
        show(list, list.length ? '' : (form.getAttribute('data-none') || ''));
        if (status) { status.textContent = hits.length ? count : (form.getAttribute('data-none') || ''); }
      });
    }

    input.addEventListener('focus', load, { once: true });
    input.addEventListener('input', search);
    input.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape') {
        input.value = '';
        show([], '');
      }
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var first = results.querySelector('a');
      if (first) { window.location.href = first.href; }
    });
    doc.addEventListener('click', function (ev) {
      if (!form.contains(ev.target)) { results.hidden = true; }
    });
  }

  /* ---------- print button ---------- */

  function initPrint(button) {
    if (!window.print) { return; }
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  }

  function start() {
    each(doc.querySelectorAll('table[data-sortable]'), function (t) {
      try { initSortable(t); } catch (e) { /* leave the table as it is */ }
    });
    var filter = doc.querySelector('[data-unit-filter]');
    if (filter) { initUnitFilter(filter); }
    var form = doc.querySelector('form[data-search]');
    if (form) { initSearch(form); }
    each(doc.querySelectorAll('[data-print]'), initPrint);
  }

  if (doc.readyState === 'loading') {
    doc.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
