"""The PDF summary: the engine's numbers and the spec's words on page 1, appendix, structure."""

from __future__ import annotations

import contextlib
import re
import zlib
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from report_helpers import (
    DEMO,
    DIARIES,
    MARGIN_PT,
    NOW,
    analyse,
    first_wide_band_right_edge,
    font_is_embedded,
    fonts_of,
    image_xobjects,
    load,
    page_texts,
    squash,
    words_with_boxes,
)

from paintrack.clinical.model import Diary
from paintrack.clinical.settings import ClinicSettings
from paintrack.clinical.wording import (
    comparison_text,
    format_duration,
    format_percent,
    preset_label,
    threshold_text,
)
from paintrack.report.pdf import ReportRequest, render_report, write_report
from paintrack.wording.text import INFORMS_SENTENCE, criterion_description, criterion_found


def make_pdf(
    tmp_path: Path,
    diary: Diary,
    *,
    settings: ClinicSettings | None = None,
    name: str = "report.pdf",
    **options: object,
) -> Path:
    analysis = analyse(diary, settings)
    request = ReportRequest(
        diary=diary, analysis=analysis, generated_at=NOW, audit_available=False, **options
    )  # type: ignore[arg-type]
    return write_report(request, tmp_path / name)


def test_page_one_has_the_engines_figures_for_the_demo(tmp_path: Path, demo_diary: Diary) -> None:
    analysis = analyse(demo_diary)
    path = make_pdf(tmp_path, demo_diary)
    page_one = page_texts(path)[0]
    patient = demo_diary.patient
    assert patient.name in page_one
    assert patient.mrn is not None and patient.mrn in page_one
    assert patient.birth_date is not None and patient.birth_date.strftime("%-d %b %Y") in page_one
    assert len(analysis.blocks) == 2
    for result in analysis.blocks:
        assert result.agent.value in page_one
        assert " ".join(result.block.levels[:1]) in page_one
        for site in result.sites.values():
            assert f"{site.baseline}/10" in page_one
            peak = (
                f"{format_percent(site.peak_relief_percent)} at "
                f"{format_duration(site.time_to_peak_minutes)}"
            )
            assert peak in page_one
            for threshold in analysis.thresholds:
                assert threshold_text(site.thresholds[threshold]) in page_one
        assert result.compliance.percent is not None
        assert f"compliance {result.compliance.percent:g}%" in page_one
        assert f"{result.compliance.kept_on_time} of {result.compliance.due} due points" in page_one
    for comparison in analysis.comparisons:
        assert squash(comparison_text(comparison.result)) in page_one
    for target in analysis.preset.targets:
        assert target.verdict in page_one
        for criterion in target.criteria:
            assert squash(criterion_description(criterion)) in page_one
    assert preset_label(analysis.settings.preset) in page_one
    assert "thresholds 50%, 80%" in page_one
    assert "lidocaine 1 h" in page_one and "bupivacaine 2 h" in page_one
    assert INFORMS_SENTENCE in page_one
    assert "Hours since the block" in page_one  # the chart's text is real, selectable text


def test_appendix_lists_every_entry_with_relief_and_status(
    tmp_path: Path, demo_diary: Diary
) -> None:
    analysis = analyse(demo_diary)
    texts = page_texts(make_pdf(tmp_path, demo_diary))
    appendix = " ".join(texts[1:])
    assert "Appendix A: every diary entry" in appendix
    assert "Appendix B: audit trail of amendments" in appendix
    from paintrack.wording.text import short_datetime_text

    for result in analysis.blocks:
        for entry in result.block.entries:
            # In the block's recorded UTC offset (clinical.md item 11).
            assert short_datetime_text(entry.at, result.block.zone) in appendix
        for point in result.sites["index"].series:
            assert format_percent(point.relief_percent) in appendix
    late = [e for b in demo_diary.blocks for e in b.entries if e.is_late and not e.is_transcribed]
    paper = [e for b in demo_diary.blocks for e in b.entries if e.is_transcribed]
    assert appendix.count("late (written") == len(late) > 0
    assert appendix.count("transcribed") >= len(paper) > 0
    assert "baseline" in appendix


def test_page_count_and_footer(tmp_path: Path, demo_diary: Diary, local_utc: None) -> None:
    path = make_pdf(tmp_path, demo_diary)
    reader = PdfReader(path)
    total = len(reader.pages)
    assert total >= 2  # summary, then the appendix on its own pages
    for number, text in enumerate(page_texts(path), start=1):
        assert f"{demo_diary.patient.name} · 1 Nov 2026 · page {number} of {total}" in text
    assert "Appendix A" not in page_texts(path)[0]


def test_many_blocks_still_fit_page_one_and_grow_the_appendix(
    tmp_path: Path, demo_diary: Diary
) -> None:
    from datetime import timedelta

    extra = tuple(
        replace(
            block,
            id=f"copy-{i}-{block.id}",
            performed_at=block.performed_at + timedelta(days=40 * (i + 1)),
            entries=tuple(
                replace(
                    e,
                    id=f"copy-{i}-{e.id}",
                    at=e.at + timedelta(days=40 * (i + 1)),
                    recorded_at=e.recorded_at + timedelta(days=40 * (i + 1)),
                )
                for e in block.entries
            ),
        )
        for i in range(2)
        for block in demo_diary.blocks
    )
    bigger = replace(demo_diary, blocks=demo_diary.blocks + extra)
    small_pages = len(PdfReader(make_pdf(tmp_path, demo_diary, name="a.pdf")).pages)
    path = make_pdf(tmp_path, bigger, name="b.pdf")
    texts = page_texts(path)
    assert len(texts) > small_pages
    assert INFORMS_SENTENCE in texts[0]
    analysis = analyse(bigger)
    checked = [b for t in analysis.preset.targets for b in t.block_ids]
    numbers = {b.block_id: i for i, b in enumerate(analysis.blocks, start=1)}
    assert sorted(numbers[b] for b in checked) == [5, 6]  # the latest diagnostic pair
    for number in range(1, 7):
        assert f"Block {number}" in texts[0]  # every block is in the blocks table
    # Only the checked pair is charted and detailed; the others are summarised in Appendix A.
    assert "Block 1, Block 2, Block 3, Block 4: not part of the rule check" in texts[0]
    assert "Block 5 · lidocaine" in texts[0] and "Block 1 · lidocaine" not in texts[0]
    appendix = " ".join(texts[1:])
    first = analysis.blocks[0].sites["index"]
    summary = (
        f"Index pain: baseline {first.baseline}/10, peak "
        f"{format_percent(first.peak_relief_percent)} at "
        f"{format_duration(first.time_to_peak_minutes)}"
    )
    assert appendix.count(summary) == 3  # the three lidocaine blocks share their figures


def test_no_raster_image_and_every_font_embedded(tmp_path: Path, demo_diary: Diary) -> None:
    reader = PdfReader(make_pdf(tmp_path, demo_diary))
    assert image_xobjects(reader.pages[0].get("/Resources")) == []
    fonts = []
    for page in reader.pages:
        assert image_xobjects(page.get("/Resources")) == []
        fonts += list(fonts_of(page.get("/Resources")))
    assert fonts, "the report has text, so it must have fonts"
    for font in fonts:
        assert font_is_embedded(font), font.get("/BaseFont")


def test_chart_is_drawn_as_vector_paths(tmp_path: Path, demo_diary: Diary) -> None:
    page = PdfReader(make_pdf(tmp_path, demo_diary)).pages[0]
    content = page.get_contents()
    assert content is not None
    operators = content.get_data().decode("latin-1")
    # Curves are lines (l) and markers are Bezier paths (c); no image is painted (Do of an image).
    assert operators.count(" l\n") + operators.count(" l ") > 50
    assert " c\n" in operators or " c " in operators


@pytest.mark.parametrize(
    ("paper", "width", "height"), [("a4", 595.28, 841.89), ("letter", 612.0, 792.0)]
)
def test_paper_sizes(
    tmp_path: Path, demo_diary: Diary, paper: str, width: float, height: float
) -> None:
    reader = PdfReader(make_pdf(tmp_path, demo_diary, paper=paper))
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(width, abs=0.05)
        assert float(box.height) == pytest.approx(height, abs=0.05)
    assert INFORMS_SENTENCE in page_texts(tmp_path / "report.pdf")[0]


def _all_decoded_bytes(path: Path) -> bytes:
    """The file's bytes plus every stream decompressed (reportlab compresses page content)."""
    raw = path.read_bytes()
    chunks = [raw]
    start = 0
    while (i := raw.find(b"stream\r\n", start)) != -1 or (i := raw.find(b"stream\n", start)) != -1:
        begin = raw.index(b"\n", i) + 1
        end = raw.find(b"endstream", begin)
        with contextlib.suppress(zlib.error):  # not every stream is deflated
            chunks.append(zlib.decompress(raw[begin:end]))
        start = end
    return b"\n".join(chunks)


def test_deidentified_report_has_no_name_or_record_number_anywhere(
    tmp_path: Path, demo_diary: Diary
) -> None:
    patient = demo_diary.patient
    assert patient.mrn is not None and patient.birth_date is not None
    path = make_pdf(tmp_path, demo_diary, deidentify=True)
    reader = PdfReader(path)
    text = " ".join(page_texts(path))
    metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
    everything = _all_decoded_bytes(path)
    secrets = [patient.name, patient.mrn, *patient.name.split()]
    for secret in secrets:
        assert secret.lower() not in text.lower()
        assert secret.lower() not in metadata.lower()
        assert secret.encode().lower() not in everything.lower()
        assert secret.encode("utf-16-be") not in everything
    initials = "".join(word[0] for word in patient.name.split())
    assert f"Patient (initials): {initials}" in text
    assert f"Born (year): {patient.birth_date.year}" in text
    assert initials in metadata
    # The identified report does carry them, so the check above can fail.
    named = make_pdf(tmp_path, demo_diary, name="named.pdf")
    assert patient.mrn in " ".join(page_texts(named))
    assert patient.name in str(PdfReader(named).metadata)


def test_metadata_names_the_report(tmp_path: Path, demo_diary: Diary) -> None:
    metadata = PdfReader(make_pdf(tmp_path, demo_diary)).metadata
    assert metadata is not None
    assert metadata.title == f"paintrack summary: {demo_diary.patient.name}"
    assert metadata.author == "paintrack"
    assert "Medial branch block" in (metadata.subject or "")


def test_bilateral_block_has_both_sides(tmp_path: Path) -> None:
    diary = load(DIARIES / "bilateral.json")
    analysis = analyse(diary)
    page_one = page_texts(make_pdf(tmp_path, diary))[0]
    assert "Left side" in page_one and "Right side" in page_one  # chart panels
    for result in analysis.blocks:
        for name, site in result.sites.items():
            assert name in page_one
            for threshold in analysis.thresholds:
                assert threshold_text(site.thresholds[threshold]) in page_one
    assert "minimal sedation during the block" in page_one


@pytest.mark.parametrize("name", ["minimal.json", "paper.json", "mixed-offsets.json"])
def test_every_sample_diary_renders(tmp_path: Path, name: str) -> None:
    diary = load(DIARIES / name)
    path = make_pdf(tmp_path, diary)
    texts = page_texts(path)
    assert INFORMS_SENTENCE in texts[0]
    assert diary.patient.name in texts[0]


def test_empty_diary_renders_without_a_chart(tmp_path: Path, demo_diary: Diary) -> None:
    empty = replace(demo_diary, blocks=())
    texts = page_texts(make_pdf(tmp_path, empty))
    assert "No diagnostic block" in texts[0]
    assert INFORMS_SENTENCE in texts[0]


def test_preset_changes_the_checklist(tmp_path: Path, demo_diary: Diary, local_utc: None) -> None:
    settings = ClinicSettings(preset="medicare-lcd")
    analysis = analyse(demo_diary, settings)
    page_one = page_texts(make_pdf(tmp_path, demo_diary, settings=settings))[0]
    assert "Medicare LCD preset" in page_one
    assert len(analysis.preset.targets[0].criteria) > 1
    target = analysis.preset.targets[0]
    numbers = {b.block_id: i for i, b in enumerate(analysis.blocks, start=1)}
    for criterion in target.criteria:
        assert squash(criterion_description(criterion)) in page_one
        for line in criterion_found(criterion, target, analysis, numbers):
            assert squash(line) in page_one
    # The engine's figures behind the 80% criteria, as the tables number the blocks.
    assert "Block 1 (lidocaine): baseline 8/10, ≥ 80% until 1 h 38 min after the block" in page_one
    assert "15 days apart (2 Mar 2026 to 17 Mar 2026)" in page_one


def test_render_report_rejects_an_unknown_paper(demo_diary: Diary) -> None:
    from paintrack.errors import UserError

    request = ReportRequest(diary=demo_diary, analysis=analyse(demo_diary), paper="a3")
    with pytest.raises(UserError, match="a4 or letter"):
        render_report(request)


def test_demo_file_is_the_known_diary() -> None:
    assert DEMO.is_file()


def test_markup_characters_in_names_are_printed_as_typed(tmp_path: Path, demo_diary: Diary) -> None:
    patient = replace(demo_diary.patient, name="Dana O'Brien & <Sons>", mrn="A&B<1>")
    diary = replace(demo_diary, patient=patient)
    text = page_texts(make_pdf(tmp_path, diary))[0]
    assert "Dana O'Brien & <Sons>" in text
    assert "A&B<1>" in text


def test_deidentified_audit_trail_scrubs_the_name_from_free_text(
    tmp_path: Path, demo_diary: Diary
) -> None:
    from datetime import UTC, datetime

    from paintrack.clinical.audit import AuditRecord

    entry = demo_diary.blocks[0].entries[2]
    record = AuditRecord(
        id="a1",
        at=datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
        actor="nurse",
        action="amend_entry",
        object_type="entry",
        object_id=entry.id,
        reason="Alex Sample phoned (record DEMO-0001) to correct it",
        old={"at": entry.at.isoformat(), "note": "told Alex it was fine", "scores": {"index": 1}},
        new={"at": entry.at.isoformat(), "note": "told Alex it was fine", "scores": {"index": 2}},
        patient_id=demo_diary.patient.id,
    )
    analysis = analyse(demo_diary)
    request = ReportRequest(
        diary=demo_diary,
        analysis=analysis,
        audit=[record],
        generated_at=NOW,
        deidentify=True,
    )
    path = write_report(request, tmp_path / "anon.pdf")
    text = " ".join(page_texts(path))
    assert "[removed] phoned (record [removed]) to correct it" in text
    assert "Alex" not in text and "DEMO-0001" not in text
    assert "score: index 1 → index 2" in text
    named = write_report(replace(request, deidentify=False), tmp_path / "named.pdf")
    assert "Alex Sample phoned (record DEMO-0001)" in " ".join(page_texts(named))


@pytest.mark.parametrize(
    ("diary_file", "preset", "paper"),
    [
        (DEMO, "medicare-lcd", "a4"),  # the newcomer's overflowing estimate line
        (DEMO, "asra-2020", "letter"),
        (DIARIES / "bilateral.json", "medicare-lcd", "a4"),
    ],
)
def test_no_text_beyond_the_margins(
    tmp_path: Path, diary_file: Path, preset: str, paper: str
) -> None:
    diary = load(diary_file)
    path = make_pdf(tmp_path, diary, settings=ClinicSettings(preset=preset), paper=paper)
    words = words_with_boxes(path)
    assert len({w.page for w in words}) == len(PdfReader(path).pages)
    tolerance = 0.5
    for w in words:
        assert w.x0 >= MARGIN_PT - tolerance, w
        assert w.x1 <= w.page_width - MARGIN_PT + tolerance, w
        assert w.y0 >= MARGIN_PT - tolerance, w
        # Only the footer sits in the bottom margin, and well clear of the paper's edge.
        assert w.y1 <= w.page_height - 5 * 72 / 25.4, w
    # On page 1 every line of text ends within the tables' and chart's width (a shrunk page
    # used to leave the tables narrower than its paragraphs).
    right_edge = first_wide_band_right_edge(path)
    page_one_body = [w for w in words if w.page == 1 and w.y1 < w.page_height - MARGIN_PT]
    assert any("estimate" in w.text for w in page_one_body)
    overflowing = [w.text for w in page_one_body if w.x1 > right_edge + 1.0]
    assert overflowing == []


def test_deidentified_report_never_shows_the_exact_date_of_birth(
    tmp_path: Path, demo_diary: Diary, local_utc: None
) -> None:
    from datetime import UTC, datetime

    from paintrack.clinical.audit import AuditRecord

    born = demo_diary.patient.birth_date
    assert born is not None
    spellings = [
        born.isoformat(),
        born.strftime("%-d %b %Y"),
        born.strftime("%d/%m/%Y"),
        born.strftime("%m/%d/%Y"),
        born.strftime("%B %-d, %Y"),
    ]
    entry = demo_diary.blocks[0].entries[2]
    record = AuditRecord(
        id="a2",
        at=datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
        actor="nurse",
        action="amend_entry",
        object_type="entry",
        object_id=entry.id,
        reason="checked identity: " + "; ".join(spellings),
        old={"at": entry.at.isoformat(), "note": f"DOB {spellings[2]}", "scores": {"index": 1}},
        new={"at": entry.at.isoformat(), "note": f"DOB {spellings[0]}", "scores": {"index": 2}},
        patient_id=demo_diary.patient.id,
    )
    diary = replace(
        demo_diary,
        blocks=(
            replace(
                demo_diary.blocks[0],
                entries=(
                    replace(entry, activity=f"walking (born {spellings[1]})"),
                    *demo_diary.blocks[0].entries[3:],
                ),
            ),
            *demo_diary.blocks[1:],
        ),
    )
    request = ReportRequest(
        diary=diary,
        analysis=analyse(diary),
        audit=[record],
        generated_at=NOW,
        deidentify=True,
    )
    path = write_report(request, tmp_path / "anon.pdf")
    reader = PdfReader(path)
    text = " ".join(page_texts(path))
    metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
    for spelling in spellings:
        assert spelling not in text and spelling not in metadata, spelling
    assert f"Born (year): {born.year}" in text
    assert "checked identity: [removed]" in text
    # Block dates stay: the clinician needs them.
    assert "2 Mar 2026" in text
    named = " ".join(
        page_texts(write_report(replace(request, deidentify=False), tmp_path / "n.pdf"))
    )
    assert spellings[1] in named


def second_block_unscored(diary: Diary) -> Diary:
    """The newcomer's diary: block 2 has only a low baseline (3/10) and no score after it."""
    second = diary.blocks[1]
    baseline = next(e for e in second.entries if e.at <= second.performed_at)
    return replace(
        diary,
        blocks=(
            diary.blocks[0],
            replace(second, entries=(replace(baseline, scores={"index": 3}),)),
        ),
    )


def test_checklist_says_which_block_met_the_rule_and_which_did_not(
    tmp_path: Path, demo_diary: Diary
) -> None:
    diary = second_block_unscored(demo_diary)
    analysis = analyse(diary)
    target = analysis.preset.targets[0]
    assert target.verdict.startswith("meets the 50% rule")
    page_one = page_texts(make_pdf(tmp_path, diary))[0]
    block_one = analysis.blocks[0].sites["index"]
    t = block_one.thresholds[50]
    assert (
        f"Met by Block 1 (lidocaine): baseline {block_one.baseline}/10, ≥ 50% until "
        f"{format_duration(t.duration_minutes, censored=bool(t.censored))} after the block"
    ) in page_one
    assert "Not met by Block 2 (bupivacaine): baseline 3/10, no score after the block yet" in (
        page_one
    )
    assert "at least one diagnostic block" in page_one
    # The relief table says why block 2 has no peak, as the checklist does.
    assert "3/10 no score after the block yet" in page_one
    assert "Block 2 does not reach 50%" in page_one
    assert ">=" not in " ".join(page_texts(make_pdf(tmp_path, diary, name="again.pdf")))
    # A duration said once, never "at least 2 h 1 min (at least 2 h 1 min)".
    assert not re.search(r"(at least \d[^();]*?) \(\1\)", page_one)


def test_checklist_of_a_censored_block_names_its_duration_once(
    tmp_path: Path, demo_diary: Diary
) -> None:
    # Block 1 cut off at 2 h while still above 50%: its 50% duration is censored.
    first = demo_diary.blocks[0]
    kept = tuple(
        e for e in first.entries if (e.at - first.performed_at).total_seconds() <= 2 * 3600
    )
    diary = second_block_unscored(
        replace(demo_diary, blocks=(replace(first, entries=kept), demo_diary.blocks[1]))
    )
    t = analyse(diary).blocks[0].sites["index"].thresholds[50]
    assert t.censored
    page_one = page_texts(make_pdf(tmp_path, diary))[0]
    duration = format_duration(t.duration_minutes, censored=True)
    assert f"≥ 50% until {duration} after the block" in page_one
    assert f"{duration} ({duration})" not in page_one


def _in_progress_diary(demo_diary: Diary) -> Diary:
    """The newcomer's diary: a bilateral block with only the baselines 9/10 and 10/10, two
    minutes before the time of analysis."""
    from paintrack.clinical.model import Agent, Block, Entry, Region, Side

    t0 = NOW - timedelta(minutes=2)
    baseline = Entry(
        at=t0 - timedelta(minutes=5),
        recorded_at=t0 - timedelta(minutes=5),
        scores={"left": 9, "right": 10},
    )
    block = Block(
        performed_at=t0,
        agent=Agent.LIDOCAINE,
        region=Region.LUMBAR,
        side=Side.BILATERAL,
        sites=("left", "right"),
        entries=(baseline,),
    )
    return replace(demo_diary, blocks=(block,))


def test_a_diary_still_in_progress_is_not_known_yet(tmp_path: Path, demo_diary: Diary) -> None:
    diary = _in_progress_diary(demo_diary)
    page_one = page_texts(make_pdf(tmp_path, diary))[0]
    # In the block's recorded offset (UTC here), whatever the computer's zone.
    due = (NOW + timedelta(minutes=13)).strftime("%H:%M")
    for side in ("left", "right"):  # version 2: one verdict per side
        assert (
            f"Lumbar, {side} side (Block 1): not known yet whether it meets the 50% rule"
            f" (ASRA 2020 preset) — the diary is still in progress (next score due {due})"
        ) in page_one
    assert "does not meet" not in page_one and "not met" not in page_one
    assert "Not known yet for Block 1 (lidocaine)" in page_one
    assert "compliance: no score due yet" in page_one
    assert page_one.count("not reached yet") >= 4  # both sites, 50% and 80%
    assert "0%" not in page_one.replace("50%", "").replace("80%", "")


def test_the_patients_notes_are_in_the_appendix(tmp_path: Path, demo_diary: Diary) -> None:
    noted = [e for b in demo_diary.blocks for e in b.entries if e.note]
    assert len(noted) >= 3
    long_note = f"{demo_diary.patient.name} here: the pain came back when I bent over. " * 4
    first = demo_diary.blocks[0]
    entries = tuple(
        replace(e, note=long_note) if i == 3 else e for i, e in enumerate(first.entries)
    )
    diary = replace(demo_diary, blocks=(replace(first, entries=entries), *demo_diary.blocks[1:]))
    for paper in ("a4", "letter"):
        path = make_pdf(tmp_path, diary, paper=paper, name=f"notes-{paper}.pdf")
        appendix = " ".join(page_texts(path)[1:])
        for entry in noted:
            assert f"Patient's note: {squash(entry.note)}" in appendix
        assert "the pain came back when I bent over." in appendix
        # Wrapped inside the page: no word beyond the margins.
        for word in words_with_boxes(path):
            assert word.x1 <= word.page_width - MARGIN_PT + 0.5, word
    hidden = " ".join(page_texts(make_pdf(tmp_path, diary, deidentify=True, name="de.pdf"))[1:])
    assert "Patient's note: [removed] here: the pain came back" in hidden
    assert demo_diary.patient.name.split()[0] not in hidden


def _analysed_at(diary: Diary, now: datetime, settings: ClinicSettings | None = None):
    from paintrack.clinical.analysis import analyze_diary

    return analyze_diary(diary, settings or ClinicSettings(), now=now)


def _found_lines(analysis, key: str, index: int = 0) -> list[str]:
    target = analysis.preset.targets[index]
    numbers = {b.block_id: i for i, b in enumerate(analysis.blocks, start=1)}
    (criterion,) = [c for c in target.criteria if c.key == key]
    return criterion_found(criterion, target, analysis, numbers)


def test_80_percent_still_lasting_while_the_diary_goes_on_is_not_known_yet(
    demo_diary: Diary, local_utc: None
) -> None:
    # Block 2 (bupivacaine, baseline 7) is 35 min old: 1/10 at 30 min is 85.7%, still >= 80%.
    second = demo_diary.blocks[1]
    now = second.performed_at + timedelta(minutes=35)
    kept = tuple(e for e in second.entries if e.at <= now)
    diary = replace(demo_diary, blocks=(demo_diary.blocks[0], replace(second, entries=kept)))
    settings = ClinicSettings(preset="medicare-lcd")
    analysis = _analysed_at(diary, now, settings)
    (target,) = analysis.preset.targets
    # Block 2 was at 10:30 in its recorded offset (-04:00): the 45-min score is due 11:15.
    assert target.verdict == (
        "not known yet whether it meets the 80% rule (Medicare LCD preset)"
        " — the diary is still in progress (next score due 11:15)"
    )
    lines = _found_lines(analysis, "durations_consistent")
    assert lines[1] == (
        "Block 2 (bupivacaine): at least 30 min so far, expected ≥ 2 h: not known yet,"
        " diary still in progress (next score due 11:15)"
    )
    # Once the diary has finished with the same scores: indeterminate, as the metric says.
    later = _analysed_at(diary, NOW, settings)
    assert later.preset.targets[0].verdict.startswith("not enough information")
    assert _found_lines(later, "durations_consistent")[1] == (
        "Block 2 (bupivacaine): at least 30 min, indeterminate against the expected ≥ 2 h"
    )


def test_a_side_with_no_baseline_is_not_settled_by_the_diary(demo_diary: Diary) -> None:
    # The right side has no baseline; the left has not reached 50% yet.
    from paintrack.clinical.model import Entry

    diary = _in_progress_diary(demo_diary)
    (block,) = diary.blocks
    baseline = replace(block.entries[0], scores={"left": 9})
    later = Entry(
        at=block.performed_at + timedelta(minutes=1),
        recorded_at=block.performed_at + timedelta(minutes=1),
        scores={"left": 8, "right": 3},
    )
    diary = replace(diary, blocks=(replace(block, entries=(baseline, later)),))
    analysis = _analysed_at(diary, NOW)
    left, right = analysis.preset.targets  # version 2: one target per side
    assert right.verdict == (
        "not enough information to say whether it meets the 50% rule (ASRA 2020 preset)"
    )
    assert left.verdict.startswith("not known yet whether it meets the 50% rule")
    (line,) = _found_lines(analysis, "relief_50", 0)
    assert line.startswith("Not known yet for Block 1 (lidocaine): baseline 9/10")
    assert "≥ 50% not reached yet" in line
    (line,) = _found_lines(analysis, "relief_50", 1)
    assert line.startswith("Unknown for Block 1 (lidocaine): no baseline score before the block")


def test_the_patients_estimate_not_reached_while_in_progress_says_yet(
    tmp_path: Path, demo_diary: Diary
) -> None:
    from paintrack.clinical.model import Agent, Block, Entry, Region, Side

    t0 = NOW - timedelta(minutes=20)
    before = Entry(at=t0 - timedelta(minutes=5), recorded_at=t0, scores={"index": 8})
    after = Entry(
        at=t0 + timedelta(minutes=15),
        recorded_at=t0 + timedelta(minutes=15),
        scores={"index": 6},
        patient_relief_percent=20,
    )
    block = Block(
        performed_at=t0,
        agent=Agent.LIDOCAINE,
        region=Region.LUMBAR,
        side=Side.RIGHT,
        entries=(before, after),
    )
    page_one = " ".join(
        page_texts(make_pdf(tmp_path, replace(demo_diary, blocks=(block,))))[0].split()
    )
    start = page_one.index("Patient's own % relief estimate")
    estimate = page_one[start : page_one.index("Rule checklist", start)]
    assert "≥ 50% not reached yet" in estimate


def test_a_pair_with_a_block_still_in_progress_says_not_reached_yet(demo_diary: Diary) -> None:
    from paintrack.wording.text import comparison_note

    # Block 2 is 10 minutes old: no score after it yet, so it has not reached 50% *yet*.
    second = demo_diary.blocks[1]
    now = second.performed_at + timedelta(minutes=10)
    kept = tuple(e for e in second.entries if e.at <= now)
    diary = replace(demo_diary, blocks=(demo_diary.blocks[0], replace(second, entries=kept)))
    analysis = _analysed_at(diary, now)
    numbers = {b.block_id: i for i, b in enumerate(analysis.blocks, start=1)}
    (pair,) = [c for c in analysis.comparisons if c.threshold == 50]
    assert pair.result.value == "not positive"  # clinical.md item 7, unchanged
    note = comparison_note(pair, analysis, numbers)
    assert note == "Block 2 has not reached 50% yet: the diary is still in progress"
    # Once its diary is over, the same pair reads as a result.
    later = _analysed_at(diary, second.performed_at + timedelta(hours=10))
    (done,) = [c for c in later.comparisons if c.threshold == 50]
    assert comparison_note(done, later, numbers) == "Block 2 does not reach 50%"
