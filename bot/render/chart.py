"""The weekly trend chart (PNG): questions, share answered by peers, first response."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bot.metrics.health import Health


def weekly_trend_png(weeks: list[tuple[str, Health]], title: str = "Community health") -> bytes:
    """A PNG of the weekly trend. Call it off the event loop (``asyncio.to_thread``)."""
    labels = [label for label, _ in weeks]
    questions = [h.questions for _, h in weeks]
    peer_share = [None if h.peer_answer_rate is None else h.peer_answer_rate * 100
                  for _, h in weeks]
    answered_share = [None if h.answer_rate is None else h.answer_rate * 100 for _, h in weeks]
    seconds = [h.median_first_response_s for _, h in weeks]
    longest = max((v for v in seconds if v is not None), default=0.0)
    unit, per = ("hours", 3600) if longest >= 2 * 3600 else ("minutes", 60)
    response = [None if v is None else v / per for v in seconds]

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})
    try:
        top.bar(labels, questions, color="#c7d2fe", label="Questions asked")
        top.set_ylabel("Questions")
        share = top.twinx()
        share.plot(labels, [v if v is not None else float("nan") for v in answered_share],
                   color="#4338ca", marker="o", label="Answered %")
        share.plot(labels, [v if v is not None else float("nan") for v in peer_share],
                   color="#059669", marker="o", label="Answered by peers %")
        share.set_ylim(0, 100)
        share.set_ylabel("Share of questions (%)")
        handles = top.get_legend_handles_labels()[0] + share.get_legend_handles_labels()[0]
        top.legend(handles=handles, loc="upper left", fontsize=8)
        top.set_title(title)
        bottom.plot(labels, [v if v is not None else float("nan") for v in response],
                    color="#b45309", marker="o")
        bottom.set_ylabel(f"Median first\nresponse ({unit})")
        bottom.tick_params(axis="x", labelrotation=45, labelsize=8)
        bottom.grid(alpha=0.3)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()
    finally:
        plt.close(fig)
