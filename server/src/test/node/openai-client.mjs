// Drives a running `shovel serve` with the official `openai` npm client (pinned to 6.49.0).
// Plain Node 20 ES module, no test framework; prints `ok NAME` or `FAIL NAME: REASON` per check,
// then a summary line, and exits 1 if any check failed.
//
// Env: SHOVEL_URL (e.g. http://127.0.0.1:8390), SHOVEL_API_KEY, SHOVEL_MODEL (model id),
//      SHOVEL_NPM (the --prefix where `npm install openai@6.49.0` was run).
// Run: SHOVEL_URL=... SHOVEL_API_KEY=... SHOVEL_MODEL=... SHOVEL_NPM=... node server/src/test/node/openai-client.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const PINNED = '6.49.0';
const TIMEOUT_MS = 60_000;        // per request
const OVERALL_MS = 5 * 60_000;    // the whole script

const { SHOVEL_URL, SHOVEL_API_KEY, SHOVEL_MODEL, SHOVEL_NPM } = process.env;
const missing = ['SHOVEL_URL', 'SHOVEL_API_KEY', 'SHOVEL_MODEL', 'SHOVEL_NPM'].filter((k) => !process.env[k]);
if (missing.length) {
  console.log(`FAIL config: missing env ${missing.join(', ')}`);
  process.exit(1);
}
setTimeout(() => {
  console.log(`FAIL overall: the script ran longer than ${OVERALL_MS / 1000} s`);
  process.exit(1);
}, OVERALL_MS).unref();

// ES modules ignore NODE_PATH: resolve the package from the install prefix.
const pkgDir = path.join(path.resolve(SHOVEL_NPM), 'node_modules', 'openai');
let OpenAI, clientVersion;
try {
  OpenAI = createRequire(path.join(pkgDir, 'package.json'))(pkgDir).OpenAI;
  clientVersion = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
} catch (e) {
  console.log(`FAIL config: cannot load ${pkgDir}: ${e.message.split('\n')[0]}`);
  process.exit(1);
}

const base = SHOVEL_URL.replace(/\/+$/, '');
const model = SHOVEL_MODEL;
const options = { baseURL: `${base}/v1`, timeout: TIMEOUT_MS, maxRetries: 0 };
const client = new OpenAI({ ...options, apiKey: SHOVEL_API_KEY });

const passed = [];
const failed = [];
const oneLine = (s) => String(s).replace(/\s+/g, ' ').trim();

async function check(name, fn) {
  try {
    await fn();
    passed.push(name);
    console.log(`ok ${name}`);
  } catch (e) {
    failed.push(name);
    const what = e instanceof Check ? e.message : `${e?.constructor?.name ?? 'Error'}: ${e?.message ?? e}`;
    console.log(`FAIL ${name}: ${oneLine(what)}`);
  }
}
class Check extends Error {}
function need(cond, msg) {
  if (!cond) throw new Check(msg);
}
const show = (v) => { const s = JSON.stringify(v); return s === undefined ? String(v) : s.length > 200 ? s.slice(0, 200) + '…' : s; };
function needEq(actual, expected, what) {
  need(actual === expected, `${what}: expected ${show(expected)}, got ${show(actual)}`);
}
function needUsage(u, what = 'usage') {
  need(u && typeof u === 'object', `${what} missing`);
  for (const k of ['prompt_tokens', 'completion_tokens', 'total_tokens']) {
    need(Number.isInteger(u[k]) && u[k] >= 0, `${what}.${k} not a count: ${show(u[k])}`);
  }
  needEq(u.total_tokens, u.prompt_tokens + u.completion_tokens, `${what}.total_tokens = prompt + completion`);
}
/** Runs fn, which must throw an instance of errorClass with the given status; returns the error. */
async function expectError(fn, errorClass, status) {
  let result;
  try {
    result = await fn();
  } catch (e) {
    need(e instanceof errorClass, `expected ${errorClass.name}, got ${e?.constructor?.name}: ${e?.message}`);
    if (status !== undefined) needEq(e.status, status, 'status');
    return e;
  }
  throw new Check(`expected ${errorClass.name}, but the call succeeded: ${show(result)}`);
}
function needErrorBody(e) {
  need(e.error && typeof e.error === 'object', `no error object in the body: ${show(e.error)}`);
  need(typeof e.error.message === 'string' && e.error.message.length > 0, `error.message missing: ${show(e.error)}`);
  need(typeof e.error.type === 'string' && e.error.type.length > 0, `error.type missing: ${show(e.error)}`);
}
async function authGet(p) {
  const r = await fetch(`${base}${p}`, {
    headers: { Authorization: `Bearer ${SHOVEL_API_KEY}` },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  need(r.ok, `GET ${p}: HTTP ${r.status}`);
  return r;
}
/** The server's count of generated tokens, from /metrics; null where it has none. */
async function predictedTotal() {
  const r = await fetch(`${base}/metrics`, {
    headers: { Authorization: `Bearer ${SHOVEL_API_KEY}` },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!r.ok) return null;
  const m = /^shovel:tokens_predicted_total\s+(\S+)/m.exec(await r.text());
  return m ? Number(m[1]) : null;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const MAX = 24;
const chatParams = {
  model,
  messages: [
    { role: 'system', content: 'You are a storyteller.' },
    { role: 'user', content: 'Tell me a story about a cat.' },
  ],
  max_tokens: MAX,
  temperature: 0,
};
const PROMPT = 'Once upon a time';
let chatRef = null; // content of the non-stream chat completion, the reference for the others
let textRef = null; // text of the non-stream text completion

console.log(`# openai ${clientVersion}, node ${process.versions.node}, ${base}, model ${model}`);

await check('client-version', async () => needEq(clientVersion, PINNED, 'openai package version'));

await check('models', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  need(ids.includes(model), `models.list() has no ${model}: ${show(ids)}`);
  const m = await client.models.retrieve(model);
  needEq(m.id, model, 'retrieve().id');
  needEq(m.object, 'model', 'retrieve().object');
});

await check('chat', async () => {
  const r = await client.chat.completions.create(chatParams);
  needEq(r.object, 'chat.completion', 'object');
  need(typeof r.id === 'string' && r.id, `id missing: ${show(r.id)}`);
  needEq(r.choices?.length, 1, 'choices.length');
  const c = r.choices[0];
  needEq(c.index, 0, 'choices[0].index');
  needEq(c.message?.role, 'assistant', 'message.role');
  need(typeof c.message.content === 'string' && c.message.content.length > 0, `content empty: ${show(c.message.content)}`);
  need(['stop', 'length'].includes(c.finish_reason), `finish_reason: ${show(c.finish_reason)}`);
  needUsage(r.usage);
  need(r.usage.completion_tokens <= MAX, `completion_tokens ${r.usage.completion_tokens} > max_tokens ${MAX}`);
  need(typeof r.usage.prompt_tokens_details?.cached_tokens === 'number',
    `usage.prompt_tokens_details.cached_tokens: ${show(r.usage.prompt_tokens_details)}`);
  chatRef = c.message.content;
});

await check('chat-stream', async () => {
  need(chatRef !== null, 'no reference content (the chat check failed)');
  const stream = await client.chat.completions.create({ ...chatParams, stream: true, stream_options: { include_usage: true } });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  need(chunks.length >= 2, `only ${chunks.length} chunks`);
  let text = '';
  let finishes = 0;
  for (const [i, ch] of chunks.entries()) {
    needEq(ch.object, 'chat.completion.chunk', `chunk ${i} object`);
    needEq(ch.id, chunks[0].id, `chunk ${i} id`);
    for (const c of ch.choices) {
      need(typeof c.index === 'number', `chunk ${i}: a choice without index: ${show(c)}`);
      if (typeof c.delta?.content === 'string') text += c.delta.content;
      if (c.finish_reason != null) {
        finishes++;
        need(['stop', 'length'].includes(c.finish_reason), `finish_reason: ${show(c.finish_reason)}`);
      }
    }
  }
  needEq(chunks[0].choices[0]?.delta?.role, 'assistant', 'first delta role');
  needEq(finishes, 1, 'chunks with a finish_reason');
  const last = chunks.at(-1);
  needEq(last.choices.length, 0, 'last chunk choices.length');
  needUsage(last.usage, 'last chunk usage');
  for (const ch of chunks.slice(0, -1)) need(ch.usage == null, `usage on a chunk before the last: ${show(ch)}`);
  needEq(text, chatRef, 'streamed content vs non-stream');
});

await check('chat-stream-helper', async () => {
  need(chatRef !== null, 'no reference content (the chat check failed)');
  const deltas = [];
  const stream = client.chat.completions.stream(chatParams);
  stream.on('content.delta', ({ delta }) => deltas.push(delta));
  const final = await stream.finalChatCompletion();
  needEq(deltas.join(''), chatRef, 'content.delta events joined vs non-stream');
  needEq(final.choices?.[0]?.message?.content, chatRef, 'finalChatCompletion() content vs non-stream');
  needEq(final.choices[0].message.role, 'assistant', 'final message role');
  need(['stop', 'length'].includes(final.choices[0].finish_reason), `finish_reason: ${show(final.choices[0].finish_reason)}`);
});

const textParams = { model, prompt: PROMPT, max_tokens: MAX, temperature: 0 };

await check('completions', async () => {
  const r = await client.completions.create(textParams);
  needEq(r.object, 'text_completion', 'object');
  needEq(r.choices?.length, 1, 'choices.length');
  needEq(r.choices[0].index, 0, 'choices[0].index');
  need(typeof r.choices[0].text === 'string' && r.choices[0].text.length > 0, `text empty: ${show(r.choices[0].text)}`);
  need(['stop', 'length'].includes(r.choices[0].finish_reason), `finish_reason: ${show(r.choices[0].finish_reason)}`);
  needUsage(r.usage);
  textRef = r.choices[0].text;
});

await check('completions-stream', async () => {
  need(textRef !== null, 'no reference text (the completions check failed)');
  const stream = await client.completions.create({ ...textParams, stream: true });
  let text = '';
  let finishes = 0;
  let n = 0;
  for await (const chunk of stream) {
    n++;
    needEq(chunk.object, 'text_completion', `chunk ${n} object`);
    for (const c of chunk.choices) {
      need(typeof c.index === 'number', `a choice without index: ${show(c)}`);
      if (typeof c.text === 'string') text += c.text;
      if (c.finish_reason != null) finishes++;
    }
  }
  needEq(finishes, 1, 'chunks with a finish_reason');
  needEq(text, textRef, 'streamed text vs non-stream');
});

await check('completions-logprobs', async () => {
  const r = await client.completions.create({ ...textParams, logprobs: 2 });
  const lp = r.choices?.[0]?.logprobs;
  need(lp && typeof lp === 'object', `choices[0].logprobs missing: ${show(r.choices?.[0])}`);
  const { tokens, token_logprobs, top_logprobs, text_offset } = lp;
  need(Array.isArray(tokens) && tokens.length > 0 && tokens.every((t) => typeof t === 'string'), `tokens: ${show(tokens)}`);
  const n = tokens.length;
  need(Array.isArray(token_logprobs) && token_logprobs.length === n && token_logprobs.every((x) => typeof x === 'number' && x <= 0),
    `token_logprobs: ${show(token_logprobs)}`);
  need(Array.isArray(top_logprobs) && top_logprobs.length === n, `top_logprobs: ${show(top_logprobs)}`);
  for (const t of top_logprobs) {
    need(t && typeof t === 'object' && !Array.isArray(t), `top_logprobs entry not an object: ${show(t)}`);
    const keys = Object.keys(t);
    need(keys.length >= 1 && keys.length <= 2, `top_logprobs entry has ${keys.length} keys: ${show(t)}`);
    need(Object.values(t).every((x) => typeof x === 'number' && x <= 0), `top_logprobs values: ${show(t)}`);
  }
  need(Array.isArray(text_offset) && text_offset.length === n && text_offset.every((x) => Number.isInteger(x)),
    `text_offset: ${show(text_offset)}`);
  for (let i = 1; i < n; i++) need(text_offset[i] >= text_offset[i - 1], `text_offset decreases: ${show(text_offset)}`);
  needEq(tokens.join(''), r.choices[0].text, 'tokens joined vs text');
});

await check('chat-logprobs', async () => {
  const r = await client.chat.completions.create({ ...chatParams, logprobs: true, top_logprobs: 2 });
  const content = r.choices?.[0]?.logprobs?.content;
  need(Array.isArray(content) && content.length > 0, `choices[0].logprobs.content: ${show(r.choices?.[0]?.logprobs)}`);
  const isBytes = (b) => Array.isArray(b) && b.every((x) => Number.isInteger(x) && x >= 0 && x <= 255);
  for (const e of content) {
    need(typeof e.token === 'string', `token: ${show(e)}`);
    need(typeof e.logprob === 'number' && e.logprob <= 0, `logprob: ${show(e)}`);
    need(isBytes(e.bytes), `bytes: ${show(e)}`);
    need(Array.isArray(e.top_logprobs) && e.top_logprobs.length === 2, `top_logprobs not 2 entries: ${show(e)}`);
    for (const t of e.top_logprobs) {
      need(typeof t.token === 'string' && typeof t.logprob === 'number' && t.logprob <= 0 && isBytes(t.bytes),
        `top_logprobs entry: ${show(t)}`);
    }
  }
  if (chatRef !== null) needEq(content.map((e) => e.token).join(''), chatRef, 'logprob tokens joined vs content');
});

await check('abort-mid-stream', async () => {
  const before = await predictedTotal();
  const ac = new AbortController();
  const stream = await client.chat.completions.create(
    { ...chatParams, max_tokens: 400, stream: true },
    { signal: ac.signal },
  );
  let finished = null;
  let error = null;
  try {
    for await (const chunk of stream) {
      const c = chunk.choices[0];
      if (c?.finish_reason) finished = c.finish_reason;
      if (c?.delta?.content) ac.abort();
    }
  } catch (e) {
    error = e;
  }
  need(ac.signal.aborted, 'no content chunk arrived, so the stream was never aborted');
  need(finished === null, `the stream finished (${finished}) before the abort took effect`);
  // openai 6.x: iterating a stream whose request signal was aborted ends quietly (core/streaming.js
  // returns on an AbortError); an APIUserAbortError is the other accepted outcome.
  need(error === null || error instanceof OpenAI.APIUserAbortError,
    `expected APIUserAbortError or a quiet end, got ${error?.constructor?.name}: ${error?.message}`);
  const deadline = Date.now() + 5000;
  let slots;
  for (;;) {
    slots = await (await authGet('/slots')).json();
    need(Array.isArray(slots) && slots.length > 0, `/slots: ${show(slots)}`);
    if (slots.every((s) => s.is_processing === false)) break;
    need(Date.now() < deadline, `slots still processing 5 s after the abort: ${show(slots)}`);
    await sleep(50);
  }
  const after = await predictedTotal();
  if (before !== null && after !== null) {
    need(after - before < 400, `the server generated ${after - before} tokens for the aborted request (not cancelled)`);
  }
});

await check('abort-stream-helper', async () => {
  const stream = client.chat.completions.stream({ ...chatParams, max_tokens: 400 });
  stream.on('content.delta', () => stream.abort());
  const e = await expectError(() => stream.finalChatCompletion(), OpenAI.APIUserAbortError);
  need(stream.aborted, 'stream.aborted is false');
  need(e.message, 'no message');
  const deadline = Date.now() + 5000;
  for (;;) {
    const slots = await (await authGet('/slots')).json();
    if (slots.every((s) => s.is_processing === false)) break;
    need(Date.now() < deadline, `slots still processing 5 s after the abort: ${show(slots)}`);
    await sleep(50);
  }
});

await check('wrong-key', async () => {
  const bad = new OpenAI({ ...options, apiKey: 'wrong' });
  let e = await expectError(() => bad.models.list(), OpenAI.AuthenticationError, 401);
  needErrorBody(e);
  e = await expectError(() => bad.chat.completions.create(chatParams), OpenAI.AuthenticationError, 401);
  needErrorBody(e);
});

await check('no-key', async () => {
  // The client refuses to start without a key; a null header is its documented way to omit one.
  const noAuth = { headers: { Authorization: null } };
  let e = await expectError(() => client.models.list(noAuth), OpenAI.AuthenticationError, 401);
  needErrorBody(e);
  e = await expectError(() => client.chat.completions.create(chatParams, noAuth), OpenAI.AuthenticationError, 401);
  needErrorBody(e);
});

await check('bad-request-n2', async () => {
  const e = await expectError(() => client.chat.completions.create({ ...chatParams, n: 2 }), OpenAI.BadRequestError, 400);
  needErrorBody(e);
});

await check('bad-request-no-messages', async () => {
  const e = await expectError(() => client.chat.completions.create({ model, max_tokens: MAX }), OpenAI.BadRequestError, 400);
  needErrorBody(e);
});

await check('max-tokens-beyond-context', async () => {
  const r = await client.chat.completions.create({ ...chatParams, max_tokens: 100000 });
  need(['stop', 'length'].includes(r.choices?.[0]?.finish_reason), `finish_reason: ${show(r.choices?.[0]?.finish_reason)}`);
  need(typeof r.choices[0].message?.content === 'string' && r.choices[0].message.content.length > 0, 'content empty');
  needUsage(r.usage);
});

await check('prompt-beyond-context', async () => {
  const long = 'hello '.repeat(2000);
  const e = await expectError(
    () => client.chat.completions.create({ ...chatParams, messages: [{ role: 'user', content: long }] }),
    OpenAI.BadRequestError, 400);
  needErrorBody(e);
  const models = await client.models.list();
  const nCtx = models.data.find((m) => m.id === model)?.meta?.n_ctx;
  const numbers = (e.error.message.match(/\d+/g) ?? []).map(Number);
  need(numbers.some((x) => x > (nCtx ?? 512)), `message names no prompt token count above the context: ${show(e.error.message)}`);
  need(numbers.includes(nCtx ?? 512), `message does not name the context size ${nCtx ?? 512}: ${show(e.error.message)}`);
});

await check('concurrency', async () => {
  need(chatRef !== null, 'no reference content (the chat check failed)');
  const rs = await Promise.all(Array.from({ length: 8 }, () => client.chat.completions.create(chatParams)));
  const contents = rs.map((r) => r.choices?.[0]?.message?.content);
  const differ = contents.map((c, i) => [i, c]).filter(([, c]) => c !== chatRef);
  need(differ.length === 0, `${differ.length} of 8 differ from ${show(chatRef)}: ${show(differ)}`);
});

// Structured output: a JSON schema through response_format, as OpenAI's structured outputs send it.
const personSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer' } },
  required: ['name', 'age'],
  additionalProperties: false,
};
const personFormat = { type: 'json_schema', json_schema: { name: 'person', schema: personSchema, strict: true } };
const structuredParams = { ...chatParams, max_tokens: 64, response_format: personFormat };
function needPerson(p, what) {
  need(p && typeof p === 'object' && !Array.isArray(p), `${what}: not an object: ${show(p)}`);
  needEq(Object.keys(p).sort().join(','), 'age,name', `${what}: keys`);
  need(typeof p.name === 'string', `${what}.name not a string: ${show(p)}`);
  need(Number.isInteger(p.age), `${what}.age not an integer: ${show(p)}`);
}
/** A Standard Schema (no zod): the JSON schema for the model, a validator for the parse helpers. */
const personStandard = {
  '~standard': {
    version: 1,
    vendor: 'shovel-test',
    validate: (v) => {
      try {
        needPerson(v, 'parsed');
        return { value: v };
      } catch (e) {
        return { issues: [{ message: e.message }] };
      }
    },
    jsonSchema: { input: () => personSchema },
  },
};
let personRef = null;

await check('structured-json-schema', async () => {
  const r = await client.chat.completions.create(structuredParams);
  const c = r.choices?.[0];
  needEq(c?.finish_reason, 'stop', 'finish_reason (the JSON is complete)');
  personRef = c.message.content;
  needPerson(JSON.parse(personRef), 'content');
});

await check('structured-parse', async () => {
  const r = await client.chat.completions.parse(structuredParams);
  const m = r.choices?.[0]?.message;
  needPerson(m?.parsed, 'message.parsed');
  if (personRef !== null) needEq(m.content, personRef, 'content vs create()');
});

await check('structured-stream', async () => {
  const stream = await client.chat.completions.create({ ...structuredParams, stream: true });
  let text = '';
  let finish = null;
  for await (const chunk of stream) {
    for (const c of chunk.choices) {
      if (typeof c.delta?.content === 'string') text += c.delta.content;
      if (c.finish_reason != null) finish = c.finish_reason;
    }
  }
  needEq(finish, 'stop', 'finish_reason');
  needPerson(JSON.parse(text), 'streamed content');
  if (personRef !== null) needEq(text, personRef, 'streamed content vs create()');
});

await check('structured-stream-helper', async () => {
  const { standardResponseFormat } = createRequire(path.join(pkgDir, 'package.json'))(path.join(pkgDir, 'helpers', 'standard-schema.js'));
  const deltas = [];
  let done = null;
  const stream = client.chat.completions.stream({ ...chatParams, max_tokens: 64, response_format: standardResponseFormat(personStandard, 'person') });
  stream.on('content.delta', ({ delta }) => deltas.push(delta));
  stream.on('content.done', (e) => { done = e; });
  const final = await stream.finalChatCompletion();
  const m = final.choices?.[0]?.message;
  needEq(deltas.join(''), m?.content, 'content.delta events joined vs final content');
  needPerson(m.parsed, 'finalChatCompletion() message.parsed');
  needPerson(done?.parsed, 'content.done parsed');
});

await check('structured-json-object', async () => {
  const r = await client.chat.completions.create({ ...chatParams, max_tokens: 48, response_format: { type: 'json_object' } });
  const c = r.choices?.[0];
  needEq(c?.finish_reason, 'stop', 'finish_reason (the JSON is complete)');
  const v = JSON.parse(c.message.content);
  need(v && typeof v === 'object' && !Array.isArray(v), `not a JSON object: ${show(c.message.content)}`);
});

await check('structured-bad-schema', async () => {
  const bad = { type: 'json_schema', json_schema: { name: 'bad', schema: { type: 'frobnicate' }, strict: true } };
  const e = await expectError(() => client.chat.completions.create({ ...chatParams, response_format: bad }), OpenAI.BadRequestError, 400);
  needErrorBody(e);
  needEq(e.error.type, 'invalid_request_error', 'error.type');
  need(e.error.message.includes("'response_format.json_schema.schema'"), `message does not name the field: ${show(e.error.message)}`);
});

console.log(`summary: ${passed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
