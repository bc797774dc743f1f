"""What cannot be undone, and the steps on members, in a real browser on the shared demo: an
officer of Ban Tổ chức Đảng ủy xã Tân An at Chi bộ thôn Trại Mới.

A vote, a decision, a strike-off or a discipline is shown first with its consequence and the
domain's numbers (the roll of the meeting day, the votes needed) and written only once
confirmed; declined, nothing is written. A full member's page says where they stand and offers
the steps open to them. The journeys work on records of their own: a case they open and take
to probation through the API, members of a cell the other journeys leave alone."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
from playwright.sync_api import Browser, Locator, Page, expect

from domain.calendar import VIETNAM
from tests.e2e.web_support import PHONE, Stack, open_as, shot

OFFICER = "bantochuc.tanan"
CELL = "Chi bộ thôn Trại Mới"


def today() -> datetime:
    return datetime.now(VIETNAM)


def dmy(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y")


class Api:
    """The API as the officer, for the steps a journey only needs done."""

    def __init__(self, stack: Stack) -> None:
        self.http = httpx.Client(base_url=stack.base, timeout=60)
        login = {"username": OFFICER, "password": stack.users[OFFICER]}
        token = self.http.post("/api/auth/token", json=login).json()["token"]
        self.http.headers["Authorization"] = f"Bearer {token}"
        orgs = self.http.get("/api/orgs").json()
        self.cell = next(o["id"] for o in orgs if o["name"] == CELL)

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def step(self, subject: str, ident: str, step_kind: str, /, **args: Any) -> Any:
        body = {"kind": step_kind, "on": today().date().isoformat(), "args": args}
        response = self.http.post(f"/api/{subject}/{ident}/steps", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def full_members(self) -> list[str]:
        return sorted(self.get(f"/api/orgs/{self.cell}/roll")["full"])


def case_at_the_cell_vote(api: Api) -> str:
    """A case of the journey's own, its dossier complete."""
    person = {
        "full_name": "Đỗ Thị Hạnh",
        "birth_date": "1999-04-02",
        "citizen_id": f"0379{int(time.time() * 1000) % 10**8:08d}",
        "gender": "female",
        "ethnicity": "Kinh",
        "address": "Thôn Trại Mới, xã Tân Phú",
        "education": "upper_secondary",
        "occupation": "farmer",
    }
    body = {"cell_id": api.cell, "on": today().date().isoformat(), "person": person}
    opened = api.http.post("/api/cases", json=body)
    assert opened.status_code == 201, opened.text
    case = str(opened.json()["subject_id"])
    api.step("cases", case, "record_certificate", number="31/GCN")
    api.step("cases", case, "submit_application")
    relatives = [{"key": "r1", "relationship": "father", "full_name": "Đỗ Văn Tâm"}]
    api.step("cases", case, "declare_background", relatives=relatives)
    for slot, member in enumerate(api.full_members()[:2], start=1):
        api.step(
            "cases",
            case,
            "assign_introducer",
            slot=slot,
            kind="full_member",
            letter_on=today().date().isoformat(),
            member_id=member,
            together_since="2015-01-01",
        )
    for subject in ("applicant", "r1"):
        api.step("cases", case, "request_verification", subject=subject, sent_to="Xã Tân Phú")
        api.step("cases", case, "record_verification_result", subject=subject, satisfactory=True)
    api.step("cases", case, "certify_background")
    for source in ("residence_cell", "workplace_organizations"):
        api.step("cases", case, "record_comment", source=source)
    assert api.step("cases", case, "summarize_comments")["stage"] == "cell_vote"
    return case


def rows(page: Page) -> int:
    return page.locator('[data-testid="timeline"] tbody tr').count()


def submit(form: Locator) -> None:
    form.get_by_role("button", name="Ghi nhận").click()


def test_a_vote_that_ends_a_case_is_declined_a_passing_one_confirmed_then_the_decision(
    stack: Stack, browser: Browser
) -> None:
    api = Api(stack)
    case = case_at_the_cell_vote(api)
    numbers = api.get(f"/api/cases/{case}/ballot")  # the same numbers for API clients
    full, needed = numbers["on_roll"], numbers["votes_needed"]
    page = open_as(browser, stack, OFFICER)
    page.goto(f"{stack.base}/cases/{case}")
    before = rows(page)

    vote = page.locator("#step-record_cell_vote")
    expect(vote.get_by_test_id("irreversible-record_cell_vote")).to_be_visible()
    vote.get_by_label("Số phiếu tán thành").fill(str(needed - 1))
    vote.get_by_label("Số phiếu không tán thành").fill("1")
    submit(vote)
    review = page.get_by_test_id("review-record_cell_vote")
    expect(review).to_contain_text(
        f"{full} đảng viên chính thức trong danh sách {CELL} ngày {dmy(today())}"
    )
    expect(review).to_contain_text(f"Cần ít nhất {needed} phiếu tán thành")
    expect(review).to_contain_text("hồ sơ sẽ kết thúc (không được đề nghị kết nạp)")
    expect(review).to_contain_text("ADM-VOTE-CELL")
    shot(page, "53-cell-vote-review")

    # Declined: nothing is written, the case still awaits its vote.
    page.get_by_role("link", name="Không ghi, quay lại").click()
    expect(page.get_by_test_id("stage")).to_contain_text("Chi bộ xét, biểu quyết")
    assert rows(page) == before

    vote = page.locator("#step-record_cell_vote")
    vote.get_by_label("Số phiếu tán thành").fill(str(needed))
    vote.get_by_label("Số phiếu không tán thành").fill("0")
    submit(vote)
    review = page.get_by_test_id("review-record_cell_vote")
    expect(review).to_contain_text("chi bộ đề nghị kết nạp")
    assert rows(page) == before
    page.get_by_role("button", name="Xác nhận và ghi nhận").click()
    expect(page.get_by_role("status")).to_have_text("Đã ghi nhận: Ghi biểu quyết của chi bộ")
    expect(page.get_by_test_id("stage")).to_contain_text("Đảng ủy cơ sở biểu quyết")

    api.step("cases", case, "record_committee_vote", committee_size=9, votes_for=8, votes_against=1)
    page.reload()
    decide = page.locator("#step-decide")
    decide.get_by_label("Số").fill("15-QĐ/ĐU")
    committee = decide.get_by_label("Cấp ủy quyết định")
    assert committee.locator("option").count() == 1  # only the competent committee
    submit(decide)
    review = page.get_by_test_id("review-decide")
    expect(review).to_contain_text("quyết định kết nạp (số 15-QĐ/ĐU)")
    expect(review).to_contain_text("30 ngày làm việc")
    shot(page, "55-decide-review")
    page.get_by_role("button", name="Xác nhận và ghi nhận").click()
    expect(page.get_by_test_id("stage")).to_contain_text("Chờ lễ kết nạp")
    page.context.close()

    # To probation (the ceremony is not this journey's), then the strike-off.
    api.step("cases", case, "receive_decision")
    member = str(api.step("cases", case, "hold_ceremony")["member_id"])
    deadline = time.monotonic() + 30
    while True:  # the case's workflow continues as the probation
        body = {"kind": "complete_new_member_course", "on": today().date().isoformat()}
        done = api.http.post(
            f"/api/members/{member}/steps", json={**body, "args": {"certificate_no": "9/BD"}}
        )
        if done.status_code == 200:
            break
        assert time.monotonic() < deadline, done.text
        time.sleep(0.5)
    strike_off_refused_then_confirmed(stack, browser, member, needed)


def strike_off_refused_then_confirmed(
    stack: Stack, browser: Browser, member: str, needed: int
) -> None:
    page = open_as(browser, stack, OFFICER)
    page.goto(f"{stack.base}/members/{member}")
    before = rows(page)
    strike = page.locator("#step-strike_off")
    strike.locator("summary").click()
    strike.get_by_label("Lý do").fill("Không đủ tư cách")
    submit(strike)
    strike = page.locator("#step-strike_off")
    expect(strike.locator("#err-strike_off-by_upper_committee")).to_contain_text("[PRB-REVIEW]")
    expect(page.get_by_test_id("review-strike_off")).to_have_count(0)
    assert rows(page) == before  # refused: nothing written
    shot(page, "56-strike-off-refused")

    vote = page.locator("#step-record_review_vote")
    vote.get_by_label("Nội dung biểu quyết").select_option(label="Xóa tên")
    vote.get_by_label("Số phiếu tán thành").fill(str(needed))
    vote.get_by_label("Số phiếu không tán thành").fill("0")
    submit(vote)
    expect(page.get_by_test_id("review-record_review_vote")).to_contain_text(
        "chi bộ đề nghị xóa tên khỏi danh sách đảng viên dự bị"
    )
    page.get_by_role("button", name="Xác nhận và ghi nhận").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận")

    strike = page.locator("#step-strike_off")
    strike.locator("summary").click()
    strike.get_by_label("Lý do").fill("Không đủ tư cách")
    submit(strike)
    review = page.get_by_test_id("review-strike_off")
    expect(review).to_contain_text("xóa tên khỏi danh sách đảng viên dự bị")
    expect(review).to_contain_text("ít nhất 36 tháng")
    shot(page, "57-strike-off-review")
    page.get_by_role("button", name="Xác nhận và ghi nhận").click()
    expect(page.get_by_test_id("stage")).to_contain_text("Đã xóa tên")
    expect(page.get_by_test_id("stage")).to_contain_text("Đã kết thúc")
    expect(page.locator("#step-record_expungement")).to_have_count(1)  # what is left to do
    page.context.close()


def standing(page: Page) -> Locator:
    return page.get_by_test_id("standing")


def test_an_officer_places_and_releases_a_hold_exempts_and_disciplines_a_full_member(
    stack: Stack, browser: Browser
) -> None:
    api = Api(stack)
    member = api.full_members()[-1]
    page = open_as(browser, stack, OFFICER)
    page.goto(f"{stack.base}/members/{member}")
    expect(page.get_by_test_id("stage")).to_contain_text("Đảng viên chính thức")
    expect(page.get_by_test_id("stage")).not_to_contain_text("Đã kết thúc")
    expect(standing(page)).to_be_visible()
    expect(page.locator("#step-release_hold")).to_have_count(0)  # nothing to release
    shot(page, "50-member-standing")

    hold = page.locator("#step-place_hold")
    hold.locator("summary").click()
    hold.get_by_label("Loại").select_option(label="Đang bị kiểm tra")
    submit(hold)
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận")
    expect(standing(page)).to_contain_text("Đang bị kiểm tra")
    shot(page, "51-hold-placed")
    release = page.locator("#step-release_hold")
    release.locator("summary").click()
    assert release.get_by_label("Loại").locator("option").all_inner_texts()[-1:] == [
        "Đang bị kiểm tra"
    ]
    release.get_by_label("Loại").select_option(label="Đang bị kiểm tra")
    submit(release)
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận")
    expect(page.locator("#step-release_hold")).to_have_count(0)

    exempt = page.locator("#step-exempt")
    exempt.locator("summary").click()
    until = dmy(today() + timedelta(days=90))
    exempt.get_by_label("Đến ngày").fill(until)
    exempt.get_by_label("Lý do").fill("Ốm dài ngày")
    submit(exempt)
    expect(standing(page)).to_contain_text(f"Đến ngày {until}")

    before = rows(page)
    discipline = page.locator("#step-discipline")
    discipline.locator("summary").click()
    discipline.get_by_label("Hình thức kỷ luật").select_option(label="Khiển trách")
    discipline.get_by_label("Lý do").fill("Vi phạm quy định sinh hoạt")
    submit(discipline)
    review = page.get_by_test_id("review-discipline")
    expect(review).to_contain_text("Kỷ luật Khiển trách ngày")
    expect(review).to_contain_text("không xóa được")
    shot(page, "52-discipline-review")
    page.get_by_role("link", name="Không ghi, quay lại").click()  # declined
    assert rows(page) == before
    expect(standing(page)).not_to_contain_text("Khiển trách")

    discipline = page.locator("#step-discipline")
    discipline.locator("summary").click()
    discipline.get_by_label("Hình thức kỷ luật").select_option(label="Khiển trách")
    submit(discipline)
    page.get_by_role("button", name="Xác nhận và ghi nhận").click()
    expect(page.get_by_role("status")).to_have_text("Đã ghi nhận: Kỷ luật")
    expect(standing(page)).to_contain_text(f"Khiển trách ({dmy(today())})")
    page.context.close()


def test_on_a_phone_a_hold_is_placed_and_released_and_a_bad_exemption_refused_beside_its_field(
    stack: Stack, browser: Browser
) -> None:
    api = Api(stack)
    member = api.full_members()[-2]
    page = open_as(browser, stack, OFFICER, PHONE)
    page.goto(f"{stack.base}/members/{member}")
    expect(standing(page)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    hold = page.locator("#step-place_hold")
    hold.locator("summary").click()
    hold.get_by_label("Loại").select_option(label="Đang giải quyết khiếu nại, tố cáo")
    submit(hold)
    expect(standing(page)).to_contain_text("Đang giải quyết khiếu nại, tố cáo")
    shot(page, "58-member-phone")
    release = page.locator("#step-release_hold")
    release.locator("summary").click()
    release.get_by_label("Loại").select_option(label="Đang giải quyết khiếu nại, tố cáo")
    submit(release)
    expect(page.locator("#step-release_hold")).to_have_count(0)

    before = rows(page)
    exempt = page.locator("#step-exempt")
    exempt.locator("summary").click()
    exempt.get_by_label("Đến ngày").fill(dmy(today() - timedelta(days=10)))
    submit(exempt)
    error = page.locator("#err-exempt-ends_on")
    expect(error).to_contain_text("[ORG-MIN]")
    assert rows(page) == before
    expect(standing(page)).to_contain_text("Miễn sinh hoạt")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "59-exempt-refused-phone")
    page.context.close()


def test_on_a_phone_the_review_of_a_discipline_fits_and_declining_it_writes_nothing(
    stack: Stack, browser: Browser
) -> None:
    api = Api(stack)
    member = api.full_members()[-3]
    page = open_as(browser, stack, OFFICER, PHONE)
    page.goto(f"{stack.base}/members/{member}")
    before = rows(page)
    discipline = page.locator("#step-discipline")
    discipline.locator("summary").click()
    discipline.get_by_label("Hình thức kỷ luật").select_option(label="Cảnh cáo")
    submit(discipline)
    expect(page.get_by_test_id("review-discipline")).to_contain_text("Kỷ luật Cảnh cáo")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name="Không ghi, quay lại").click()
    assert rows(page) == before
    assert re.search(r"/members/[0-9a-f-]+$", page.url)
    page.context.close()
