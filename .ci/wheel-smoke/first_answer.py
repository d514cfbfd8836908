"""Wait for `serve` to publish its URL, then send one gateway request as alice and check the
answer: the quickstart world's namespaces. Usage: first_answer.py STATE_DIR SERVE_PID."""

import json
import os
import ssl
import sys
import time
import urllib.request
from pathlib import Path

state, pid = Path(sys.argv[1]), int(sys.argv[2])
deadline = time.monotonic() + 60
while not (state / "url").is_file() or not (state / "url").read_text().strip():
    os.kill(pid, 0)  # raises when serve has exited
    if time.monotonic() > deadline:
        sys.exit("serve published no url within 60 s")
    time.sleep(0.05)
url = (state / "url").read_text().strip()
request = urllib.request.Request(
    f"{url}/v1/projects/123456789012/locations/global/memberships/my-cluster/api/v1/namespaces",
    headers={"Authorization": "Bearer ya29.fake-alice"})
tls = ssl.create_default_context(cafile=str(state / "ca.pem"))
with urllib.request.urlopen(request, context=tls, timeout=30) as answer:
    names = {item["metadata"]["name"] for item in json.load(answer)["items"]}
if "gke-connect" not in names:
    sys.exit(f"unexpected namespaces: {sorted(names)}")
print(f"wheel smoke: {url} answered with {len(names)} namespaces")
