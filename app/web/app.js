// The chat page: POST /ask as a stream of server-sent events, render the answer with
// clickable [n] markers, and show a cited passage highlighted in its article
// (GET /articles/{id}). DOM is built with textContent only: article and answer text are
// data, never markup; only http(s) addresses become links.
"use strict";

const $ = (id) => document.getElementById(id);
const articles = new Map(); // id -> Promise of the article, fetched once
const earlier = []; // the conversation's earlier questions, sent so follow-ups keep context

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
    const link = webAddress(a.url);
    if (link) {
      $("source-meta").append(" · ", el("a", { href: link, text: "original", rel: "noopener noreferrer" }));
    }
    mark.scrollIntoView({ block: "center" });
    body.focus({ preventScroll: true });
  } catch (err) {
    body.textContent = `The article could not be loaded (${err.message}).`;
  }
}

// An article's url comes from its file's metadata: a javascript: or data: address there
// would run script when clicked, so only http(s) becomes a link.
function webAddress(url) {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

class AskError extends Error {}

// The server's own message for a refused request, or what went wrong in words.
async function refusal(r) {
  let message = `the server answered HTTP ${r.status}`;
  try {
    const data = await r.json();
    if (data && data.message) message = data.message;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return new AskError(message);
}

// Server-sent events from a fetch body: yields {event, data} with data parsed as JSON.
async function* events(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
    }
  }
}

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

async function ask(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  const body = { question, history: earlier.slice(-5), stream: true };
  if ($("generator").value) body.generator = $("generator").value;
  $("submit").disabled = true;
  setStatus("Searching the articles…");
  // The draft shows the text as it is written; the verified answer (`done`) replaces it.
  const draft = el("p", { class: "answer draft" });
  const turn = el("article", { class: "turn pending" },
    el("p", { class: "q", text: question }), el("div", { class: "a" }, draft));
  let r;
  try {
    r = await fetch("/ask", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify(body),
    });
  } catch {
    setStatus("No answer: the server is not reachable. Is `accordingto serve` running?", true);
    $("submit").disabled = false;
    return;
  }
  try {
    if (!r.ok) throw await refusal(r);
    let answered = false;
    for await (const { event: name, data } of events(r.body)) {
      if (name === "meta") {
        $("log").append(turn);
        setStatus("Writing the answer…");
      } else if (name === "delta") {
        draft.append(data.text);
      } else if (name === "reset") {
        draft.textContent = "";
      } else if (name === "verification") {
        setStatus("Checking the citations…");
      } else if (name === "error") {
        throw new AskError(data.message);
      } else if (name === "done") {
        const final = renderAnswer(question, data);
        if (turn.isConnected) turn.replaceWith(final);
        else $("log").append(final);
        final.scrollIntoView({ block: "start" });
        answered = true;
      }
    }
    if (!answered) throw new AskError("the answer was cut off; ask again");
    earlier.push(question);
    $("new").hidden = false;
    setStatus("");
    $("question").value = "";
  } catch (err) {
    turn.remove();
    const message = err instanceof AskError
      ? err.message
      : "the connection to the server was lost. Is `accordingto serve` running?";
    setStatus(`No answer: ${message}`, true);
  } finally {
    $("submit").disabled = false;
  }
}

function newConversation() {
  earlier.length = 0;
  $("log").replaceChildren();
  $("source").hidden = true;
  $("new").hidden = true;
  $("question").focus();
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
  $("new").addEventListener("click", newConversation);
});
