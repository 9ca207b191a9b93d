// VecLm's side-by-side page: one column per model, answered as the context is typed. Plain DOM, no framework.
"use strict";

const $ = (id) => document.getElementById(id);
const contextBox = $("context");
const columns = $("columns");
const statusLine = $("status");
let models = [];
let pending = null;   // the AbortController of the prediction in flight
let timer = 0;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

function say(text, isError) {
  statusLine.textContent = text;
  statusLine.className = isError ? "error" : "";
}

async function api(path, body, signal) {
  const response = await fetch(path, body === undefined ? { signal } : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal,
  });
  const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

// The text splits into the context the models read and, while a word is being typed (no space after it yet),
// that word: the one that truly comes next, which each model's list is checked against.
function split(text) {
  if (text === "" || /\s$/.test(text)) return { context: text, next: null };
  const cut = text.search(/\S+$/);
  return { context: text.slice(0, cut), next: text.slice(cut) };
}

function fmt(value, digits) { return value === null || value === undefined ? "–" : Number(value).toFixed(digits); }

function column(info) {
  return el("section", { class: `model ${info.loss === "softmax" ? "softmax" : "regression"}`, "data-model": info.name },
    el("h2", {}, info.name),
    el("div", { class: "meta" }, info.loss === "softmax"
      ? `softmax over ${info.vocabularySize.toLocaleString()} words`
      : `${info.loss} regression · ${info.decoder} decoding · rule ${info.rule} · ${info.vocabularySize.toLocaleString()} words`),
    el("div", { class: "body" }, el("p", { class: "note" }, "waiting for a context…")));
}

function render(answer, next) {
  const section = columns.querySelector(`section[data-model="${CSS.escape(answer.name)}"]`);
  if (!section) return;
  const body = el("div", { class: "body" });
  if (answer.error) {
    body.append(el("p", { class: "error" }, answer.error));
    section.querySelector(".body").replaceWith(body);
    return;
  }
  const softmax = answer.loss === "softmax";
  if (answer.unknown.length) body.append(el("p", { class: "note" }, `not in its vocabulary: ${answer.unknown.join(", ")}`));
  const top = Math.max(...answer.words.map((w) => (softmax ? w.probability : w.cosine)), 1e-9);
  const list = el("ol", { class: "words" });
  answer.words.forEach((w, i) => {
    const value = softmax ? w.probability : w.cosine;
    const width = Math.max(0, Math.min(1, softmax ? value / top : value)) * 100;
    const classes = [w.shared ? "shared" : "", answer.next && answer.next.known && w.word === answer.next.word ? "hit" : ""].join(" ").trim();
    list.append(el("li", { class: classes, "data-word": w.word, title: `score ${fmt(w.score, 4)}` },
      el("span", { class: "rank" }, String(i + 1)),
      el("span", { class: "word" }, el("span", { class: "bar", style: `width:${width}%` }), el("span", { class: "label" }, w.word)),
      el("span", { class: "value" }, softmax ? `p ${fmt(value, 3)}` : `cos ${fmt(value, 3)}`)));
  });
  body.append(list);
  if (answer.next) body.append(check(answer.next, softmax));
  if (answer.picture && answer.picture.length > 1) body.append(picture(answer.picture));
  section.querySelector(".body").replaceWith(body);
  section.querySelector(".meta").textContent = softmax ? `softmax · probability` : `${answer.loss} regression · ${answer.scoreName}`;
}

function check(next, softmax) {
  if (!next.known) return el("p", { class: "check out", "data-next": next.word }, `“${next.word}”: not a word this model knows`);
  const how = softmax ? `p ${fmt(next.probability, 4)}` : `cos ${fmt(next.cosine, 3)}`;
  return el("p", { class: `check ${next.inTop ? "in" : "out"}`, "data-next": next.word },
    `${next.inTop ? "✓" : "✗"} “${next.word}” ranked ${next.rank.toLocaleString()} (${how})`);
}

function picture(points) {
  const size = 200, pad = 28;
  const box = svg("svg", { class: "picture", viewBox: `0 0 ${size * 1.6} ${size}`, role: "img" });
  box.append(Object.assign(svg("title", {}), { textContent: "PCA of the prediction and its words" }));
  const x = (v) => pad + (v + 1) / 2 * (size * 1.6 - 2 * pad);
  const y = (v) => size - pad - (v + 1) / 2 * (size - 2 * pad);
  for (const p of points) {
    box.append(svg("circle", { cx: x(p.x), cy: y(p.y), r: p.kind === "predicted" ? 5 : 3, class: p.kind }));
    const label = svg("text", { x: x(p.x) + 5, y: y(p.y) - 4 });
    label.textContent = p.kind === "predicted" ? "▲ prediction" : p.label;
    box.append(label);
  }
  return box;
}

async function predict() {
  const text = contextBox.value;
  const { context, next } = split(text);
  // The address says what is typed: ?context=… (answered as a whole) and, while a word is being typed, &next=…
  const fields = {};
  if (context.trim()) fields.context = context.trim();
  if (next) fields.next = next;
  const params = new URLSearchParams(fields);
  history.replaceState(null, "", text ? `?${params}` : location.pathname);
  $("link").href = text ? `/?${params}` : "/";
  if (pending) pending.abort();
  pending = new AbortController();
  const body = { context, k: Number($("k").value) || 10, next };
  const rule = $("rule").value;
  if (rule) body.rule = rule;
  try {
    say("…");
    const result = await api("/api/predict", body, pending.signal);
    for (const answer of result.models) render(answer, next);
    say(context.trim() ? `after “${context.trim()}”${next ? `, checking “${next}”` : ""}` : "at the start of a sentence");
    document.body.dataset.answered = String(Number(document.body.dataset.answered || 0) + 1);
  } catch (e) {
    if (e.name !== "AbortError") say(e.message, true);
  }
}

async function generate() {
  const out = $("generated");
  out.replaceChildren(el("p", { class: "note" }, "generating…"));
  try {
    const result = await api("/api/generate", {
      context: contextBox.value, n: 25, temperature: Number($("temperature").value), seed: Math.floor(Math.random() * 1e9),
    });
    out.replaceChildren(...result.models.map((m) => el("div", { class: "gen", "data-model": m.name },
      el("b", {}, m.name), m.error ? m.error : `${contextBox.value.trim()} ⟶ ${m.text}`)));
  } catch (e) {
    out.replaceChildren(el("p", { class: "error" }, e.message));
  }
}

async function start() {
  try {
    models = await api("/api/models");
  } catch (e) {
    say(`cannot reach the server: ${e.message}`, true);
    return;
  }
  columns.replaceChildren(...models.map(column));
  contextBox.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(predict, 120); });
  $("k").addEventListener("change", predict);
  $("rule").addEventListener("change", predict);
  $("temperature").addEventListener("input", () => { $("temperature-value").textContent = Number($("temperature").value).toFixed(1); });
  $("generate").addEventListener("click", generate);
  // A linked context is answered as a whole (the models predict the word after it); &next=WORD types that word
  // after it, so each model says where it ranked it.
  const query = new URLSearchParams(location.search);
  const given = (query.get("context") || "").trim();
  const typed = (query.get("next") || "").trim();
  if (given || typed) contextBox.value = typed ? `${given ? given + " " : ""}${typed}` : `${given} `;
  const temperature = query.get("temperature");
  if (temperature !== null && !Number.isNaN(Number(temperature))) {
    $("temperature").value = temperature;
    $("temperature-value").textContent = Number($("temperature").value).toFixed(1);
  }
  await predict();
  // &generate=1 presses Generate once the page has answered (a linked continuation; the browser test uses it).
  if (query.get("generate") === "1") await generate();
}

start();
