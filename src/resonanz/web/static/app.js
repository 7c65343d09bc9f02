// Resonanz dashboard: small progressive enhancements. Every text from the server is put
// into the page with textContent, never as HTML.
"use strict";

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function initQueryEditor() {
  const form = document.querySelector("form.editor");
  const input = document.getElementById("query");
  if (!form || !input) return;
  const status = document.getElementById("query-status");
  const preview = document.getElementById("query-preview");
  let timer = null;
  let seq = 0;
  async function check() {
    const q = input.value;
    const mine = ++seq;
    if (!q.trim()) { status.textContent = ""; preview.replaceChildren(); return; }
    const resp = await fetch(form.dataset.checkUrl + "?q=" + encodeURIComponent(q), {
      headers: { "Accept": "application/json" }, credentials: "same-origin" });
    if (mine !== seq || !resp.ok) return;
    const data = await resp.json();
    status.className = "query-status " + (data.ok ? "ok" : "bad");
    if (data.ok) {
      status.textContent = "✓ " + (data.count ?? 0) + " " + (status.dataset.matching || "matching posts");
    } else if (data.position !== null && data.position !== undefined) {
      status.textContent = data.message + "\n" + q + "\n" + " ".repeat(data.position) + "^";
    } else {
      status.textContent = data.message;
    }
    const items = (data.posts || []).map(function (p) {
      const card = el("article", "post");
      const head = el("header");
      head.append(el("span", "author", p.display_name || p.author), el("span", "handle", "@" + p.author),
                  el("span", "platform", p.platform), el("time", null, p.created_at.slice(0, 16).replace("T", " ")));
      card.append(head, el("p", "text", p.text));
      return card;
    });
    preview.replaceChildren(...items);
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 250); });
  if (input.value.trim()) check();
}

function initInboxKeys() {
  const items = Array.from(document.querySelectorAll(".queue .item"));
  if (!items.length) return;
  let index = Math.max(0, items.findIndex(function (i) { return i.getAttribute("aria-selected") === "true"; }));
  function select(i) {
    index = Math.min(items.length - 1, Math.max(0, i));
    items.forEach(function (item, n) { item.setAttribute("aria-selected", n === index ? "true" : "false"); });
    items[index].scrollIntoView({ block: "nearest" });
  }
  function open() { const link = items[index].querySelector("a"); if (link) link.click(); }
  document.addEventListener("keydown", function (ev) {
    const t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) {
      if (ev.key === "Escape") t.blur();
      return;
    }
    const focus = function (id) { const f = document.getElementById(id); if (f) { ev.preventDefault(); f.focus(); } };
    if (ev.key === "j") { select(index + 1); open(); }
    else if (ev.key === "k") { select(index - 1); open(); }
    else if (ev.key === "r") focus("reply-text");
    else if (ev.key === "a") focus("assign-to");
    else if (ev.key === "n") focus("note-text");
    else if (ev.key === "c") { const f = document.getElementById("close-form"); if (f) { ev.preventDefault(); f.requestSubmit(); } }
  });
}

function graphemes(text) {
  if (window.Intl && Intl.Segmenter) return Array.from(new Intl.Segmenter().segment(text)).length;
  return Array.from(text).length;
}

function initComposer() {
  const text = document.getElementById("draft-text");
  const box = document.getElementById("draft-previews");
  if (!text || !box) return;
  const limits = JSON.parse(box.dataset.limits);
  function update() {
    box.querySelectorAll(".net-preview").forEach(function (card) {
      const net = card.dataset.network;
      const n = net === "bluesky" ? graphemes(text.value) : Array.from(text.value).length;
      const count = card.querySelector(".count");
      count.textContent = n + " / " + limits[net];
      count.className = "count" + (n > limits[net] ? " over" : "");
      card.querySelector(".ptext").textContent = text.value;
    });
  }
  text.addEventListener("input", update);
  update();
}

document.addEventListener("DOMContentLoaded", function () {
  initQueryEditor();
  initInboxKeys();
  initComposer();
});
