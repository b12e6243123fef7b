"""Rewriting a pin keeps every other byte of a requirements file."""

from __future__ import annotations

from ytc_release.services.pins import rewrite_pin

H1, H2, H3, H4 = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)


def test_plain_pin_moves_and_nothing_else_changes() -> None:
    text = "# header\nfastapi==0.1\nytcaption-common==1.0.0  # shared library\r\nuvicorn==2\n"
    assert rewrite_pin(text, "1.2.0", distribution="ytcaption-common") == text.replace("1.0.0", "1.2.0")


def test_hash_pinned_requirement_gets_the_new_hashes() -> None:
    text = (
        "fastapi==0.1 \\\n    --hash=sha256:" + H4 + "\n"
        "ytcaption-common==1.0.0 \\\n    --hash=sha256:" + H1 + " \\\n    --hash=sha256:" + H2 + "\n"
        "uvicorn==2 \\\n    --hash=sha256:" + H4 + "\n"
    )
    new = rewrite_pin(text, "1.0.1", [H3, "e" * 64], distribution="ytcaption-common")
    assert new == (
        "fastapi==0.1 \\\n    --hash=sha256:" + H4 + "\n"
        "ytcaption-common==1.0.1 \\\n    --hash=sha256:" + H3 + " \\\n    --hash=sha256:" + "e" * 64 + "\n"
        "uvicorn==2 \\\n    --hash=sha256:" + H4 + "\n"
    )


def test_other_spellings_of_the_name_are_recognised() -> None:
    assert (
        rewrite_pin("ytcaption_common == 1.0.0\n", "2.0.0", distribution="ytcaption-common")
        == "ytcaption_common == 2.0.0\n"
    )
