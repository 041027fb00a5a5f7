#!/usr/bin/env python3
"""Writes the seed inputs of ChatTemplateFuzzTest: real templates and Jinja2 snippets, each followed by the control
bytes that choose the conversation (see the test's javadoc). Run from the repository root."""
import json
import pathlib
import random

RES = pathlib.Path("tokenizer/src/test/resources")
OUT = RES / "dev/shovel/chat/ChatTemplateFuzzTestInputs/render"
CONTROL = 48
rng = random.Random(20240601)


def write(name, template):
    control = bytes(rng.randrange(256) for _ in range(CONTROL))
    (OUT / name).write_bytes(template.encode("utf-8") + control[::-1])  # read from the end


OUT.mkdir(parents=True, exist_ok=True)
for f in sorted((RES / "chat").glob("*.jinja")):
    for k in range(2):
        write(f"seed-{f.stem}-{k}", f.read_text(encoding="utf-8"))
cases = json.loads((RES / "chat/jinja2/jinja2_cases.json").read_text(encoding="utf-8"))
prelude = "".join("{%% set %s = %s %%}" % (k, json.dumps(v, ensure_ascii=False))
                  for k, v in cases["context"].items() if "null" not in json.dumps(v) and "true" not in json.dumps(v)
                  and "false" not in json.dumps(v))
snippets = [c["template"] for c in cases["cases"]]
for i in range(0, len(snippets), 8):
    write(f"seed-jinja2-{i // 8:02d}", prelude + "\n".join(snippets[i:i + 8]))
