// The chat page: POST /ask, render the answer with clickable [n] markers, and show a
// cited passage highlighted in its article (GET /articles/{id}). DOM is built with
// textContent only: article and answer text are data, never markup.
"use strict";

const $ = (id) => document.getElementById(id);
const articles = new Map(); // id -> Promise of the article, fetched once

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-") || key.startsWith("aria-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function where(c) {
  return [c.outlet || "Unknown outlet", c.published || "date unknown"].join(", ");
}

function marker(n, citations) {
  const c = citations.find((x) => x.n === n);
  if (!c) return document.createTextNode(`[${n}]`);
  const button = el("button", {
    type: "button",
    class: c.supported ? "cite" : "cite unsupported",
    text: `[${n}]`,
    "data-n": String(n),
    "aria-label": `Source ${n}: ${where(c)}${c.supported ? "" : " (not supported)"}`,
  });
  button.addEventListener("click", () => showSource(c, button));
  return button;
}

// Text with its [n] markers turned into buttons; a marker citing nothing stays text.
function withMarkers(text, citations) {
  const out = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(/\[(\d{1,3})\]/g)) {
    out.append(text.slice(last, m.index), marker(Number(m[1]), citations));
    last = m.index + m[0].length;
  }
  out.append(text.slice(last));
  return out;
}

function section(title, cls, ...body) {
  return el("section", { class: cls }, el("h3", { text: title }), ...body);
}

function renderWarnings(warnings) {
  if (!warnings.length) return null;
  return el("ul", { class: "warnings", "aria-label": "Warnings" },
    ...warnings.map((w) => el("li", { text: w })));
}

function renderConflicts(conflicts, citations) {
  if (!conflicts.length) return null;
  return section("Where sources disagree", "conflicts",
    ...conflicts.map((c) => el("div", { class: "conflict" },
      el("h4", { text: `${c.about}${c.kind ? ` (${c.kind})` : ""}` }),
      c.note ? el("p", { class: "note", text: c.note }) : null,
      el("div", { class: "positions", role: "list" },
        ...c.positions.map((p) => el("div", { class: "position", role: "listitem" },
          el("p", { class: "claimant", text: p.claimant }),
          el("p", { class: "value", text: p.value }),
          el("p", { class: "date", text: p.published || "date unknown" }),
          p.citation ? el("p", {}, marker(p.citation, citations)) : null))))));
}

function renderClaims(claims, citations) {
  if (!claims.length) return null;
  return section("Who claims what", "claims",
    el("ul", {}, ...claims.map((c) => el("li", {},
      el("strong", { text: c.claimant }),
      ` ${c.cue}: ${c.content} `,
      c.citation ? marker(c.citation, citations) : null,
      c.reported_by.length
        ? el("span", { class: "chain", text: `reported by ${c.reported_by.join(" → ")}` })
        : null))));
}

function renderSources(citations) {
  if (!citations.length) return null;
  return section("Sources", "sources",
    el("ol", {}, ...citations.map((c) => el("li", { value: c.n },
      marker(c.n, citations),
      " ",
      el("span", { class: "where", text: `${where(c)}: ` }),
      el("cite", { text: c.title }),
      c.supported ? null : el("span", { class: "badge", text: "not supported" })))));
}

function renderAnswer(question, data) {
  const c = data.citations;
  return el("article", { class: "turn" },
    el("p", { class: "q", text: question }),
    el("div", { class: "a" },
      renderWarnings(data.warnings),
      el("p", { class: "answer" }, withMarkers(data.answer, c)),
      el("p", { class: "by", text: `Answered by the ${data.generator} generator.` }),
      renderConflicts(data.conflicts, c),
      renderClaims(data.claims, c),
      renderSources(c)));
}

function article(id) {
  if (!articles.has(id)) {
    const loading = fetch(`/articles/${encodeURIComponent(id)}`).then((r) => {
      if (!r.ok) throw new Error(`article ${id}: HTTP ${r.status}`);
      return r.json();
    });
    loading.catch(() => articles.delete(id));
    articles.set(id, loading);
  }
  return articles.get(id);
}

async function showSource(c, from) {
  for (const b of document.querySelectorAll(".cite.active")) b.classList.remove("active");
  from.classList.add("active");
  const panel = $("source");
  panel.hidden = false;
  $("source-title").textContent = c.title;
  $("source-meta").textContent = `${where(c)} · source [${c.n}]`;
  $("source-support").textContent = c.supported
    ? ""
    : "The verifier found that this text does not support the sentence citing it.";
  const body = $("source-text");
  body.textContent = "Loading the article…";
  try {
    const a = await article(c.article_id);
    const mark = el("mark", { id: "highlight", text: a.text.slice(c.start, c.end) });
    body.replaceChildren(a.text.slice(0, c.start), mark, a.text.slice(c.end));
    if (a.url) $("source-meta").append(" · ", el("a", { href: a.url, text: "original" }));
    mark.scrollIntoView({ block: "center" });
    body.focus({ preventScroll: true });
  } catch (err) {
    body.textContent = `The article could not be loaded (${err.message}).`;
  }
}

async function ask(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  const body = { question };
  if ($("generator").value) body.generator = $("generator").value;
  $("submit").disabled = true;
  $("status").textContent = "Searching the articles…";
  try {
    const r = await fetch("/ask", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
    const data = await r.json();
    if (!r.ok) throw new Error(data.message || `HTTP ${r.status}`);
    const turn = renderAnswer(question, data);
    $("log").append(turn);
    turn.scrollIntoView({ block: "start" });
    $("status").textContent = "";
    $("question").value = "";
  } catch (err) {
    $("status").textContent = `No answer: ${err.message}`;
  } finally {
    $("submit").disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("ask").addEventListener("submit", ask);
  $("question").addEventListener("keydown", (e) => {
    // Enter asks, Shift+Enter starts a new line, as in chat apps.
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      $("ask").requestSubmit();
    }
  });
  $("source-close").addEventListener("click", () => { $("source").hidden = true; });
});
