"""`make demo`: a demo sandbox, then `meltano run tap-lexful target-jsonl`, then what it wrote."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lexful_sandbox import running_sandbox

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "demo-output"


def meltano_env(config: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_", "TARGET_"))}
    env.update(
        LEXFUL_API_URL=config["api_url"],
        LEXFUL_ACCOUNT_ID=config["account_id"],
        LEXFUL_API_KEY_ID=config["api_key_id"],
        LEXFUL_API_KEY_SECRET=config["api_key_secret"],
        TARGET_JSONL_DESTINATION_PATH=str(OUTPUT),
        MELTANO_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def main() -> int:
    meltano = os.environ.get("MELTANO_BIN", str(ROOT / ".venv-meltano" / "bin" / "meltano"))
    OUTPUT.mkdir(exist_ok=True)
    for old in OUTPUT.glob("*.jsonl"):
        old.unlink()
    with running_sandbox(seed="demo", subprocess=True) as sandbox:
        print(f"Sandbox with the demo seed at {sandbox.api_url} (account {sandbox.account_id})")
        env = meltano_env(sandbox.config)
        subprocess.run([meltano, "install"], cwd=ROOT, env=env, check=True)
        command = [meltano, "run", "--full-refresh", "tap-lexful", "target-jsonl"]
        print("$ " + " ".join(command[1:]))
        subprocess.run([meltano, *command[1:]], cwd=ROOT, env=env, check=True)
    print(f"\nThe sandbox is stopped. meltano run wrote, under {OUTPUT.relative_to(ROOT)}/:")
    for path in sorted(OUTPUT.glob("*.jsonl")):
        with path.open("rb") as lines:
            print(f"  {path.name:<36} {sum(1 for _ in lines):>6} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
