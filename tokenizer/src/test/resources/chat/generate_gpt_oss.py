"""Regenerates expected/gpt_oss__*.txt: gpt_oss.jinja rendered by Python Jinja2 set up as transformers'
_compile_jinja_template (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, tojson =
json.dumps(ensure_ascii=False), raise_exception and strftime_now globals), for every case of cases.json and of
gpt_oss_cases.json. strftime_now reads the fixed instant "now" of gpt_oss.json (UTC).
Run from this folder: python3 generate_gpt_oss.py"""
import datetime, json, os
import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.ext import loopcontrols

meta = json.load(open("gpt_oss.json", encoding="utf-8"))
NOW = datetime.datetime.fromisoformat(meta["now"].replace("Z", "+00:00"))

def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)

def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = lambda fmt: NOW.strftime(fmt)
with open("gpt_oss.jinja", encoding="utf-8", newline="") as f:
    template = env.from_string(f.read())

cases = json.load(open("cases.json", encoding="utf-8")) + json.load(open("gpt_oss_cases.json", encoding="utf-8"))
os.makedirs("expected", exist_ok=True)
for c in cases:
    ctx = {"messages": c["messages"], "add_generation_prompt": c["add_generation_prompt"],
           "bos_token": meta["bos_token"], "eos_token": meta["eos_token"]}
    if "tools" in c:
        ctx["tools"] = c["tools"]
    ctx.update(c.get("extra_context", {}))
    base = "expected/gpt_oss__" + c["id"]
    try:
        out, name = template.render(**ctx), base + ".txt"
    except jinja2.exceptions.TemplateError as e:
        out, name = e.message, base + ".error.txt"
    with open(name, "w", encoding="utf-8", newline="") as f:
        f.write(out)
    print(name)
