// Tables that fit a phone (static/css/tables.css does the layout):
// - a list table becomes stacked cards below 576 px: every body cell gets its column's
//   heading as data-label, which the stylesheet shows before the value ("姓名：张三");
// - a wide table (a matrix: more than STACK_MAX_COLUMNS columns of mostly figures, two
//   heading rows, a chart's table, data-table="scroll") keeps its first column fixed and scrolls sideways, with a
//   visible "scroll →" cue whenever it is wider than its box;
// - every table's scroll box is a labelled region reachable by keyboard (tabindex=0), as
//   axe-core's scrollable-region-focusable rule asks.
// Without this script the tables scroll inside Bootstrap's .table-responsive, as before.
(function () {
  "use strict";

  var STACK_MAX_COLUMNS = 8;
  var script = document.currentScript;
  var cueText = (script && script.getAttribute("data-scroll-cue")) || "Scroll →";
  var boxes = [];

  function clean(text) {
    return (text || "").replace(/\s+/g, " ").trim();
  }

  function headerLabels(table) {
    var head = table.tHead;
    if (!head || !head.rows.length) return null;
    var row = head.rows[head.rows.length - 1];
    var labels = [];
    Array.prototype.forEach.call(row.cells, function (cell) {
      var text = clean(cell.getAttribute("aria-label") || cell.textContent);
      for (var i = 0; i < (cell.colSpan || 1); i += 1) labels.push(text);
    });
    return labels;
  }

  function nearestHeading(element) {
    var node = element;
    while (node && node !== document.body) {
      var sibling = node.previousElementSibling;
      while (sibling) {
        if (/^H[1-6]$/.test(sibling.tagName)) return clean(sibling.textContent);
        var inner = sibling.querySelectorAll("h1, h2, h3, h4, h5, h6");
        if (inner.length) return clean(inner[inner.length - 1].textContent);
        sibling = sibling.previousElementSibling;
      }
      node = node.parentElement;
    }
    var title = document.querySelector("main h1");
    return title ? clean(title.textContent) : clean(document.title);
  }

  function regionLabel(table) {
    if (table.caption && clean(table.caption.textContent)) return clean(table.caption.textContent);
    return clean(table.getAttribute("aria-label")) || nearestHeading(table);
  }

  // A matrix: figures in rows and columns (most cells after the first column are numbers).
  function mostlyNumbers(table) {
    var cells = 0;
    var numbers = 0;
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        for (var i = 1; i < row.cells.length; i += 1) {
          var text = clean(row.cells[i].textContent);
          if (!text) continue;
          cells += 1;
          if (/^[-+−]?[\d.,%‰ ]+$|^[—–-]$/.test(text)) numbers += 1;
        }
      });
    });
    return cells > 0 && numbers / cells >= 0.6;
  }

  function isMatrix(table, columns) {
    return (
      table.matches(".chart-table, .calendar-table, [data-table=scroll]") ||
      (table.tHead && table.tHead.rows.length > 1) ||
      (columns > STACK_MAX_COLUMNS && mostlyNumbers(table))
    );
  }

  function scrollBox(table) {
    var parent = table.parentElement;
    if (parent.classList.contains("table-responsive")) return parent;
    var box = document.createElement("div");
    box.className = "table-responsive";
    parent.insertBefore(box, table);
    box.appendChild(table);
    return box;
  }

  function labelCells(table, labels) {
    var sections = Array.prototype.slice.call(table.tBodies);
    if (table.tFoot) sections.push(table.tFoot);
    sections.forEach(function (section) {
      Array.prototype.forEach.call(section.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label")) cell.setAttribute("data-label", labels[column] || "");
          column += cell.colSpan || 1;
        });
      });
    });
  }

  function update(entry) {
    var wide = entry.box.scrollWidth > entry.box.clientWidth + 1;
    entry.box.classList.toggle("is-overflowing", wide);
    entry.cue.hidden = !wide;
  }

  function setup(table) {
    if (table.hasAttribute("data-table-ready") || table.closest("[data-table=plain]")) return;
    table.setAttribute("data-table-ready", "");
    var labels = headerLabels(table);
    var columns = labels ? labels.length : table.rows.length ? table.rows[0].cells.length : 0;
    var box = scrollBox(table);
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
      box.setAttribute("aria-label", regionLabel(table));
    }
    if (labels && !isMatrix(table, columns)) {
      table.classList.add("table-stack");
      labelCells(table, labels);
    } else {
      box.classList.add("table-scroll");
    }
    var cue = document.createElement("p");
    cue.className = "scroll-cue";
    cue.setAttribute("aria-hidden", "true");
    cue.textContent = cueText;
    cue.hidden = true;
    box.parentNode.insertBefore(cue, box);
    var entry = { box: box, cue: cue };
    boxes.push(entry);
    update(entry);
  }

  function setupAll() {
    document.querySelectorAll("main table").forEach(setup);
  }

  var pending = false;
  function refresh() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      boxes.forEach(update);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupAll);
  } else {
    setupAll();
  }
  window.addEventListener("resize", refresh);
  window.addEventListener("load", refresh);
})();
