#!/usr/bin/env python3
"""Notebook-style: NPS by week with its 95 % band, as a chart (nps.png).

Run it as a script, or cell by cell (`# %%`) in an editor that knows them.
Needs pandas and matplotlib besides the client; without them it says so.

    MITTARI_KEY=mk_... python3 examples/plot_nps.py nps-relationship 2025-07-01 2026-07-01
"""
# %% Connect (MITTARI_ADDR, MITTARI_KEY, MITTARI_CA_CERT as for the CLI)
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mittari  # noqa: E402

survey, start, end = (sys.argv[1:4] if len(sys.argv) >= 4
                      else ("nps-relationship", "2025-07-01", "2026-07-01"))
client = mittari.Client()

# %% The series as a DataFrame
try:
    frame = client.query_metric_frame("nps", start, end, granularity="week",
                                      filters={"survey": survey})
except ImportError:
    sys.exit("this example needs pandas (and matplotlib): apt-get install python3-pandas python3-matplotlib")
print(frame[["bucket_start", "value", "ci_low", "ci_high", "n"]].to_string(index=False))

# %% The chart
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

fig, ax = plt.subplots(figsize=(10, 4))
ax.fill_between(frame.bucket_start, frame.ci_low, frame.ci_high, alpha=0.2, label="95 % CI")
ax.plot(frame.bucket_start, frame.value, marker="o", label="NPS")
ax.axhline(0, color="grey", linewidth=0.5)
ax.set_title(f"NPS by week: {survey}")
ax.legend()
fig.tight_layout()
fig.savefig("nps.png", dpi=120)
print("wrote nps.png")
