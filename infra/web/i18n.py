"""The words of the web UI in Vietnamese (first) and English, and the date format dd/mm/yyyy.

One catalog: a key names a text, `(vi, en)` are its two languages, `{name}` its placeholders
(the same in both). Labels of the domain's values (stages, steps, roles, breakdown groups…) are
keys too (`stage.course`, `step.record_certificate`), so a value without a label is caught by
the unit test, not by a user. Rule titles come from `domain.policy.RULES`, never from here.
"""

from __future__ import annotations

import math
import re
import string
from datetime import UTC, date, datetime, time, timedelta

from domain import policy
from domain.calendar import VIETNAM
from domain.labels import LABELS
from infra.api.schemas import FIRST_DAY, LAST_DAY

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

CATALOG: dict[str, tuple[str, str]] = {
    # --- the frame ---
    "app.name": ("Quản lý đảng viên", "Party membership"),
    "nav.home": ("Trang chủ", "Home"),
    "nav.board": ("Bảng tiến trình", "Pipeline board"),
    "nav.quota": ("Chỉ tiêu", "Quota"),
    "nav.inbox": ("Cảnh báo", "Escalations"),
    "nav.transfers": ("Chuyển sinh hoạt", "Transfers"),
    "nav.members": ("Đảng viên", "Members"),
    "nav.dissolve": ("Giải thể chi bộ", "Dissolve a cell"),
    "nav.audit": ("Kiểm tra", "Audit"),
    "nav.logout": ("Đăng xuất", "Log out"),
    "nav.account": ("Tài khoản", "Account"),
    "nav.menu": ("Trình đơn", "Menu"),
    "lang.switch": ("English", "Tiếng Việt"),
    "org.label": ("Tổ chức", "Organization"),
    "org.show": ("Xem", "Show"),
    "whole_tree": ("Toàn hệ thống", "The whole tree"),
    # --- login ---
    "login.title": ("Đăng nhập", "Log in"),
    "login.username": ("Tên đăng nhập", "Username"),
    "login.password": ("Mật khẩu", "Password"),
    "login.submit": ("Đăng nhập", "Log in"),
    "login.failed": ("Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password"),
    "login.throttled": (
        "Đăng nhập sai quá nhiều lần; hãy thử lại sau {seconds} giây",
        "Too many failed logins; try again in {seconds} seconds",
    ),
    "login.locked": (
        "Tài khoản bị khóa do đăng nhập sai nhiều lần; hãy nhờ quản trị viên mở khóa",
        "The account is locked after too many failed logins; ask an administrator to unlock it",
    ),
    "login.busy": (
        "Máy chủ đang bận; hãy thử lại sau giây lát",
        "The server is busy; try again in a moment",
    ),
    # --- the user's own account ---
    "account.title": ("Tài khoản của tôi", "My account"),
    "account.password": ("Đổi mật khẩu", "Change the password"),
    "account.old": ("Mật khẩu hiện tại", "Current password"),
    "account.new": ("Mật khẩu mới", "New password"),
    "account.confirm": ("Nhập lại mật khẩu mới", "The new password again"),
    "account.hint": (
        "Ít nhất {min} ký tự. Sau khi đổi, các phiên đăng nhập khác đều kết thúc.",
        "At least {min} characters. Once changed, every other session ends.",
    ),
    "account.submit": ("Đổi mật khẩu", "Change the password"),
    "account.changed": ("Đã đổi mật khẩu.", "The password was changed."),
    "account.mismatch": ("Hai lần nhập mật khẩu mới không khớp", "The two new passwords differ"),
    "account.wrong_old": ("Mật khẩu hiện tại không đúng", "The current password is wrong"),
    "account.too_short": (
        "Mật khẩu cần ít nhất {min} ký tự",
        "A password needs at least {min} characters",
    ),
    "account.sessions": ("Phiên đăng nhập và mã truy cập", "Sessions and access tokens"),
    "account.sessions_hint": (
        "Thu hồi một phiên hoặc mã bạn không nhận ra: nó không mở được gì nữa.",
        "Revoke a session or token you do not recognise: it opens nothing afterwards.",
    ),
    "account.kind": ("Loại", "Kind"),
    "account.created": ("Tạo lúc", "Created"),
    "account.expires": ("Hết hạn", "Expires"),
    "account.current": ("Phiên này", "This session"),
    "account.revoke": ("Thu hồi", "Revoke"),
    "account.revoked": ("Đã thu hồi.", "Revoked."),
    "token.session": ("Phiên trên trình duyệt", "Browser session"),
    "token.api": ("Mã truy cập API", "API token"),
    # --- home ---
    "home.title": ("Trang chủ", "Home"),
    "home.greeting": ("Xin chào, {name}", "Hello, {name}"),
    "home.todo": ("Việc cần làm", "What needs your action"),
    "home.todo_hint": (
        "Hồ sơ do đơn vị của bạn đang giữ, hạn gần nhất trước, quá hạn trước hết",
        "Cases your units hold, nearest deadline first, overdue first of all",
    ),
    "home.nothing": ("Không có việc nào đang chờ.", "Nothing is waiting."),
    "home.notifications": ("Thông báo", "Notifications"),
    "home.no_notifications": ("Không có thông báo mới.", "No new notifications."),
    "home.stalled": (
        "{count} hồ sơ quá hạn hoặc bị cảnh báo trong phạm vi của bạn",
        "{count} overdue or escalated records in your part of the tree",
    ),
    "home.more": ("Xem tất cả trên bảng tiến trình", "See them all on the board"),
    # --- board ---
    "board.title": ("Bảng tiến trình", "Pipeline board"),
    "board.cell": ("Chi bộ", "Cell"),
    "board.all_cells": ("Tất cả chi bộ", "Every cell"),
    "board.overdue_only": ("Chỉ hồ sơ quá hạn", "Overdue only"),
    "board.group": ("Nhóm", "Group"),
    "board.all_groups": ("Mọi nhóm", "Every group"),
    "board.filter": ("Lọc", "Filter"),
    "board.count": ("{count} hồ sơ đang mở", "{count} open cases"),
    "board.empty": ("Không có hồ sơ", "No case"),
    "board.more": ("Trang sau", "Next page"),
    "board.previous": ("Trang trước", "Previous page"),
    "board.scroll_hint": ("Vuốt ngang để xem các bước", "Swipe sideways to see every stage"),
    "card.case": ("Hồ sơ {id}", "Case {id}"),
    "card.member": ("Đảng viên {id}", "Member {id}"),
    "card.transfer": ("Chuyển sinh hoạt {id}", "Transfer {id}"),
    "card.since": ("Từ {date}", "Since {date}"),
    "card.due": ("Hạn {date}", "Due {date}"),
    "card.left": ("Còn {days} ngày làm việc", "{days} working days left"),
    "card.overdue": ("Quá hạn {days} ngày làm việc", "{days} working days overdue"),
    "card.due_today": ("Hết hạn hôm nay", "Due today"),
    "card.no_deadline": ("Chưa có hạn", "No deadline"),
    "card.holder": ("Đang giữ: {org}", "Held by: {org}"),
    # --- escalation levels ---
    "level.-1": ("Chưa cảnh báo", "Not escalated"),
    "level.0": ("Nhắc việc", "Reminder"),
    "level.1": ("Cảnh báo cấp trên", "Escalated to the unit above"),
    "level.2": ("Cảnh báo Ban Tổ chức", "Escalated to the department"),
    "level.3": ("Cấp ủy cấp trên quyết định", "The upper committee decides"),
    # --- the probation and transfer boards; a document's validity on a card ---
    "boards.tabs": ("Các bảng theo dõi", "Boards"),
    "boards.admission": ("Kết nạp", "Admission"),
    "boards.probation": ("Dự bị", "Probation"),
    "boards.transfers": ("Chuyển sinh hoạt", "Transfers"),
    "boards.finished": ("Chuyển sinh hoạt đã xong", "Finished transfers"),
    "boards.overdue_only": ("Chỉ việc quá hạn", "Overdue only"),
    "boards.none": ("Không có", "None"),
    "boards.probation_title": ("Bảng theo dõi dự bị", "Probation board"),
    "boards.probation_count": ("{count} đảng viên dự bị", "{count} probationary members"),
    "boards.due.review": ("Chờ chi bộ xét công nhận", "Awaiting the review vote"),
    "boards.due.decision": ("Chờ cấp ủy quyết định công nhận", "Awaiting the decision"),
    "boards.due.deadlock": (
        "Biểu quyết không đạt 3 lần: cấp ủy cấp trên quyết định",
        "Deadlocked: the upper committee decides",
    ),
    "boards.probation_ends": ("Hết thời gian dự bị {date}", "Probation ends {date}"),
    "boards.failed_votes": ("Biểu quyết không đạt {count} lần", "{count} failed votes"),
    "boards.transfers_title": ("Bảng theo dõi chuyển sinh hoạt", "Transfer board"),
    "boards.transfers_count": (
        "{count} việc chuyển sinh hoạt đang thực hiện",
        "{count} transfers under way",
    ),
    "boards.hop.not_sent": ("Chưa chuyển thư giới thiệu đi", "Letter not yet sent on"),
    "boards.hop.forwarded": ("Thư giới thiệu đang chuyển qua cấp ủy", "Letter being forwarded"),
    "boards.hop.letter_issued": ("Đảng viên giữ thư giới thiệu", "Letter issued to the member"),
    "boards.hop.presented": ("Đã nộp thư, chờ chi bộ tiếp nhận", "Presented, awaiting acceptance"),
    "boards.hop.active": ("Đang sinh hoạt tạm thời", "Temporary stay"),
    "boards.direction.out": ("Chuyển đi", "Outgoing"),
    "boards.direction.in": ("Chuyển đến", "Incoming"),
    "boards.direction.within": ("Trong đơn vị", "Within the unit"),
    "boards.letter_at": (
        "Thư đang ở {org} (đã chuyển {count} lần)",
        "Letter now at {org} (forwarded {count} times)",
    ),
    "boards.returns_on": ("Dự kiến trở về {date}", "Expected back {date}"),
    "card.warning.ADM-CERT": (
        "Giấy chứng nhận học lớp nhận thức hết hạn {date}",
        "The awareness course certificate lapses {date}",
    ),
    "card.warning.ADM-DOSSIER-AGE": (
        "Thư giới thiệu của người giới thiệu hết hạn {date}",
        "The introducers' letters lapse {date}",
    ),
    "record.validity": ("Giấy tờ sắp hết hạn", "Documents about to lapse"),
    "transfers.finished_count": (
        "{count} lần chuyển sinh hoạt đã kết thúc, mới kết thúc trước",
        "{count} finished transfers, the latest finished first",
    ),
    # --- record pages ---
    "record.person": ("Người", "Person"),
    "record.applicant": ("Người xin vào Đảng", "The applicant"),
    "record.person_hidden": (
        "Vai trò của bạn không xem được thông tin cá nhân.",
        "Your role does not see personal data.",
    ),
    "record.stage": ("Bước hiện tại", "Current stage"),
    "record.closed": ("Đã kết thúc", "Closed"),
    "record.cell": ("Chi bộ", "Cell"),
    "record.opened": ("Mở hồ sơ", "Opened"),
    "record.deadline": ("Thời hạn", "Deadline"),
    "record.deadline_rule": ("Quy định", "Rule"),
    "record.deadline_start": ("Bắt đầu tính", "Counted from"),
    "record.deadline_due": ("Hạn", "Due"),
    "record.responsible": ("Đơn vị chịu trách nhiệm", "Responsible unit"),
    "record.above": ("Đơn vị cấp trên", "Unit above"),
    "record.department": ("Ban Tổ chức được báo", "Department told"),
    "record.escalation": ("Mức cảnh báo", "Escalation"),
    "record.failed_votes": ("Số lần biểu quyết không đạt", "Failed votes"),
    "record.dossier": ("Danh mục hồ sơ", "Dossier checklist"),
    "record.dossier_in": ("Đã có", "In"),
    "record.recognition_dossier": (
        "Hồ sơ xét công nhận đảng viên chính thức",
        "Recognition checklist",
    ),
    "record.exempted": ("miễn: {reason}", "exempted: {reason}"),
    "record.departure": ("Ra khỏi Đảng", "Left the Party"),
    "record.expunged_on": ("Ngày xóa án tích", "Record expunged on"),
    "record.dossier_missing": ("Chưa có", "Missing"),
    "record.next": ("Việc tiếp theo", "Next action"),
    "record.no_action": (
        "Không có bước nào vai trò của bạn được thực hiện ở bước này.",
        "Your role may take no step at this stage.",
    ),
    "record.timeline": ("Diễn biến", "Timeline"),
    "record.timeline_of_person": (
        "Toàn bộ diễn biến của người này",
        "This person's whole timeline",
    ),
    "record.member_page": ("Trang đảng viên dự bị", "The probation's page"),
    "record.case_page": ("Hồ sơ kết nạp", "The admission case"),
    "record.as_of": ("Xem hồ sơ tại một thời điểm", "The record at a moment"),
    "record.probation_ends": ("Hết thời gian dự bị", "Probation ends"),
    "record.ceremony_on": ("Ngày kết nạp", "Ceremony"),
    "record.full_from": ("Chính thức từ", "Full member from"),
    "record.transfer_kind": ("Loại chuyển", "Kind"),
    "record.transfer_reason": ("Lý do", "Reason"),
    "record.from_cell": ("Từ chi bộ", "From cell"),
    "record.destination": ("Nơi đến", "Destination"),
    "record.started_on": ("Ngày bắt đầu", "Started"),
    "record.done": ("Đã ghi nhận: {step}", "Recorded: {step}"),
    "step.on": ("Ngày thực hiện (dd/mm/yyyy)", "Date it happened (dd/mm/yyyy)"),
    "step.submit": ("Ghi nhận", "Record"),
    "step.refused": ("Không ghi nhận được", "Not recorded"),
    "step.choose": ("— chọn —", "— choose —"),
    "step.relative": ("Người thân {n}", "Relative {n}"),
    "timeline.when": ("Ngày hiệu lực", "Effective"),
    "timeline.recorded": ("Ghi nhận lúc (giờ Việt Nam)", "Recorded at (Vietnam time)"),
    "timeline.who": ("Người thực hiện", "Who"),
    "timeline.rule_set": ("Bộ quy định", "Rule set"),
    "timeline.event": ("Sự kiện", "Event"),
    "timeline.facts": ("Nội dung", "What happened"),
    "timeline.subject": ("Thuộc", "Of"),
    "subject.person": ("Người", "Person"),
    "subject.case": ("Hồ sơ kết nạp", "Admission case"),
    "subject.member": ("Đảng viên", "Membership"),
    "subject.transfer": ("Chuyển sinh hoạt", "Transfer"),
    # --- person fields ---
    "person.full_name": ("Họ và tên", "Full name"),
    "person.birth_date": ("Ngày sinh", "Birth date"),
    "person.citizen_id": ("Số CCCD", "Citizen ID"),
    "person.gender": ("Giới tính", "Gender"),
    "person.ethnicity": ("Dân tộc", "Ethnicity"),
    "person.religion": ("Tôn giáo", "Religion"),
    "person.address": ("Nơi ở", "Address"),
    "person.education": ("Trình độ học vấn", "Education"),
    "person.youth_union_member": ("Đoàn viên", "Youth-union member"),
    "person.trade_union_member": ("Công đoàn viên", "Trade-union member"),
    "person.occupation": ("Nghề nghiệp", "Occupation"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "none": ("Không", "None"),
    # --- quota ---
    "quota.title": ("Chỉ tiêu kết nạp", "Admission target"),
    "quota.year": ("Năm", "Year"),
    "quota.as_of": ("Số liệu tại ngày (dd/mm/yyyy)", "Figures as of (dd/mm/yyyy)"),
    "quota.as_of_note": (
        "Số liệu dựng lại từ sổ sự kiện như đã biết cuối ngày {date}",
        "Figures rebuilt from the record as it was known at the end of {date}",
    ),
    "quota.not_known": (
        "Sổ sự kiện chưa có tổ chức này vào cuối ngày {date}",
        "The record knew nothing of this organization at the end of {date}",
    ),
    "quota.target": ("Chỉ tiêu", "Target"),
    "quota.admitted": ("Đã kết nạp", "Admitted"),
    "quota.percent": ("Tỷ lệ đạt", "Achieved"),
    "quota.recognized": ("Công nhận chính thức", "Recognized"),
    "quota.forecast": ("Dự báo cuối năm", "Year-end forecast"),
    "quota.forecast_note": (
        "Dự báo = đã kết nạp + mỗi hồ sơ đang mở nhân tỷ lệ kết nạp lịch sử của bước đó, nếu "
        "thời gian trung vị tới lễ kết nạp kết thúc trước 31/12. Chỉ là con số để lập kế hoạch.",
        "Forecast = admitted + each open case times its stage's historical conversion, if the "
        "stage's median time to the ceremony ends by 31 December. A planning figure only.",
    ),
    "quota.lost": ("Dừng, rút, không kết nạp", "Lost (stopped, withdrawn, rejected)"),
    "quota.struck_off": ("Xóa tên dự bị", "Struck off"),
    "quota.units": ("Theo đơn vị", "By unit"),
    "quota.unit": ("Đơn vị", "Unit"),
    "quota.chart": ("Kết nạp theo tháng so với chỉ tiêu", "Admissions by month against the target"),
    "quota.chart_bars": ("Kết nạp trong tháng", "Admitted in the month"),
    "quota.chart_cumulative": ("Lũy kế", "Cumulative"),
    "quota.chart_pace": ("Tiến độ cần đạt", "Pace to the target"),
    "quota.month": ("T{n}", "M{n}"),
    "quota.pipeline": ("Đang trong quy trình theo bước", "In the pipeline by stage"),
    "quota.breakdowns": ("Cơ cấu đã kết nạp", "Breakdowns of the admitted"),
    "quota.export": ("Xuất Excel", "Export to Excel"),
    "quota.no_target": ("chưa giao", "not set"),
    "quota.show": ("Xem", "Show"),
    # --- inbox ---
    "inbox.title": ("Cảnh báo", "Escalations"),
    "inbox.hint": (
        "Hồ sơ, đảng viên dự bị và chuyển sinh hoạt quá hạn hoặc đã bị cảnh báo, nặng nhất trước",
        "Overdue or escalated cases, probations and transfers, worst first",
    ),
    "inbox.empty": ("Không có hồ sơ nào quá hạn.", "Nothing is overdue."),
    "inbox.actions": ("Xử lý", "Actions"),
    "inbox.open": ("Mở", "Open"),
    "inbox.extend": ("Gia hạn", "Extend"),
    "inbox.approve_delay": ("Duyệt lùi lễ kết nạp", "Approve a delay"),
    "inbox.acknowledge": ("Đã nhận", "Acknowledge"),
    "inbox.acknowledged": ("Đã nhận lúc {when}", "Acknowledged at {when}"),
    "inbox.record": ("Hồ sơ", "Record"),
    # --- transfers ---
    "transfers.title": ("Chuyển sinh hoạt đang trên đường", "Transfers in transit"),
    "transfers.empty": (
        "Không có chuyển sinh hoạt nào đang trên đường.",
        "No transfer in transit.",
    ),
    "transfers.member": ("Đảng viên", "Member"),
    "transfers.heading": ("Chuyển sinh hoạt", "Transfers"),
    "transfers.state": ("Tình trạng", "State"),
    "transfers.state.transit": ("Đang trên đường", "In transit"),
    "transfers.state.arrived": (
        "Đã nộp thư hoặc đang sinh hoạt tạm thời",
        "Presented, or a temporary stay",
    ),
    "transfers.state.finished": (
        "Đã kết thúc (hoàn tất, đã hủy)",
        "Finished (completed, cancelled)",
    ),
    "transfers.state.all": ("Tất cả", "All"),
    "transfers.search": ("Tên đảng viên hoặc chi bộ", "Member's name or cell"),
    "transfers.filter": ("Lọc", "Filter"),
    "transfers.none": ("Không có chuyển sinh hoạt nào như vậy.", "No such transfer."),
    "transfers.started": ("Bắt đầu {date}", "Started {date}"),
    "transfers.ended": ("Kết thúc {date}", "Ended {date}"),
    "transfers.limited": (
        "Chỉ hiện {count} lần chuyển gần nhất; hãy lọc để tìm lần khác.",
        "Only the latest {count} are shown; filter to find others.",
    ),
    # --- starting a process (infra/web/starts.py) ---
    "case_new.link": ("+ Mở hồ sơ", "+ Open a case"),
    "case_new.title": ("Mở hồ sơ kết nạp", "Open an admission case"),
    "case_new.hint": (
        "Hồ sơ được mở tại chi bộ nơi người xin vào Đảng sinh hoạt. Thông tin cá nhân được mã "
        "hóa khi lưu. Mục có * là bắt buộc.",
        "A case is opened at the cell of the applicant. Personal data is encrypted when "
        "stored. Fields marked * are required.",
    ),
    "case_new.where": ("Chi bộ và ngày mở", "Cell and date"),
    "case_new.person": ("Người xin vào Đảng", "The applicant"),
    "case_new.submit": ("Mở hồ sơ", "Open the case"),
    "case_new.no_cells": (
        "Vai trò của bạn không mở hồ sơ ở chi bộ nào.",
        "Your role opens a case at no cell.",
    ),
    "transfer_new.link": ("Chuyển sinh hoạt", "Transfer"),
    "transfer_new.title": ("Chuyển sinh hoạt đảng", "Transfer of party activity"),
    "transfer_new.from": ("Đang sinh hoạt tại {cell}", "Now in {cell}"),
    "transfer_new.back": ("Về trang đảng viên", "Back to the member's page"),
    "transfer_new.kinds": (
        "Chính thức: nhận công tác mới, nghỉ hưu, xuất ngũ, thay đổi nơi cư trú. Tạm thời: đi "
        "làm việc xa từ 3 tháng đến dưới 1 năm, đi học từ 3 tháng đến 2 năm (cần ngày dự kiến "
        "trở về). Nội bộ: giữa các chi bộ của cùng đảng bộ cơ sở.",
        "Official: a new job, retirement, demobilisation, a change of residence. Temporary: "
        "working away 3 months to under a year, studying 3 months to 2 years (with the expected "
        "return). Internal: between cells of the same grassroots organization.",
    ),
    "transfer_new.not_startable": (
        "Người này không còn trong danh sách đảng viên, hoặc đang sinh hoạt tạm thời nơi khác: "
        "không bắt đầu được lần chuyển mới.",
        "This person is off the roll, or temporarily away: no new transfer can start.",
    ),
    "transfer_new.submit": ("Bắt đầu chuyển sinh hoạt", "Start the transfer"),
    "start.cell_id": ("Chi bộ", "Cell"),
    "start.on": ("Ngày thực hiện (dd/mm/yyyy)", "Date it happened (dd/mm/yyyy)"),
    "start.helper_member_id": ("Đảng viên giúp đỡ", "Helper"),
    "start.kind": ("Loại chuyển sinh hoạt", "Kind of transfer"),
    "start.reason": ("Lý do", "Reason"),
    "start.destination_org_id": ("Nơi chuyển đến", "Destination"),
    "start.trigger_on": (
        "Ngày có quyết định hoặc thay đổi nơi cư trú (dd/mm/yyyy)",
        "Date of the decision or the change of residence (dd/mm/yyyy)",
    ),
    "start.returns_on": (
        "Ngày dự kiến trở về, khi chuyển tạm thời (dd/mm/yyyy)",
        "Expected return, for a temporary transfer (dd/mm/yyyy)",
    ),
    "start.portal_reference": (
        "Mã hồ sơ trên Cổng dịch vụ công (nếu có)",
        "Public-service portal reference (if any)",
    ),
    "start.upper_committees": ("Cấp ủy cấp trên cơ sở", "Committees above the grassroots"),
    "step.open_case": ("Mở hồ sơ", "Open the case"),
    "step.start_transfer": ("Bắt đầu chuyển sinh hoạt", "Start the transfer"),
    # --- what cannot be undone ---
    "confirm.box": (
        "Tôi xác nhận, và hiểu rằng việc này không hoàn tác được",
        "I confirm, and understand that this cannot be undone",
    ),
    "confirm.required": (
        "Hãy đánh dấu ô xác nhận để thực hiện việc này",
        "Tick the confirmation box to do this",
    ),
    "confirm.accept_transfer": (
        "Tiếp nhận là không hoàn tác được: chuyển chính thức hoặc nội bộ thì đảng viên rời danh "
        "sách chi bộ cũ và vào danh sách chi bộ này từ ngày thực hiện; chuyển tạm thời thì đảng "
        "viên sinh hoạt tạm thời ở đây, vẫn thuộc chi bộ cũ.",
        "Accepting cannot be undone: an official or internal transfer takes the member off the "
        "old cell's roll and onto this one from that day; a temporary one makes the member a "
        "guest here, still on the old cell's roll.",
    ),
    "confirm.cancel_transfer": (
        "Hủy là không hoàn tác được: thư giới thiệu hết hiệu lực, đảng viên vẫn sinh hoạt ở chi "
        "bộ cũ, và muốn chuyển lại phải bắt đầu một lần chuyển sinh hoạt mới. Chỉ bên chuyển đi "
        "(chi bộ chuyển đi hoặc cấp ủy cấp trên của chi bộ đó) được hủy.",
        "Cancelling cannot be undone: the letter is void, the member stays in the old cell, and "
        "moving again needs a new transfer. Only the sending side (the sending cell or a "
        "committee above it) may cancel.",
    ),
    # --- reviewed before confirming: consequences with the domain's numbers (confirm.py) ---
    "review.title": (
        "Kiểm tra trước khi ghi — việc này không hoàn tác được",
        "Check before recording — this cannot be undone",
    ),
    "review.hint": (
        "Việc này không hoàn tác được: bấm Ghi nhận để xem hậu quả và các con số; chưa có gì "
        "được ghi cho đến khi xác nhận.",
        "This cannot be undone: Record shows its consequence and numbers first; nothing is "
        "written until you confirm.",
    ),
    "review.not_yet": (
        "Chưa có gì được ghi. Sửa số liệu rồi bấm xác nhận thì trang sẽ cho xem lại hậu quả.",
        "Nothing is written yet. Change a value and confirming shows its consequence again.",
    ),
    "review.confirm": ("Xác nhận và ghi nhận", "Confirm and record"),
    "review.back": ("Không ghi, quay lại", "Do not record, go back"),
    "review.rules": ("Căn cứ", "Rules"),
    "review.roll": (
        "{full} đảng viên chính thức trong danh sách {cell} ngày {day}",
        "{full} full members on the roll of {cell} on {day}",
    ),
    "review.excused": (
        "{away} người đi vắng hoặc miễn sinh hoạt, {voting} người trong số đó có biểu quyết: "
        "{count} người có quyền biểu quyết",
        "{away} away or exempted, {voting} of whom voted: {count} entitled to vote",
    ),
    "review.needed": (
        "Cần ít nhất {needed} phiếu tán thành (2/3 của {count}); chi bộ phải có tối thiểu "
        "{quorum} đảng viên chính thức mới biểu quyết hợp lệ",
        "At least {needed} votes for are needed (2/3 of {count}); a cell needs at least "
        "{quorum} full members to vote validly",
    ),
    "review.committee": (
        "{members} ủy viên cấp ủy; cần ít nhất {needed} phiếu tán thành (2/3)",
        "{members} committee members; at least {needed} votes for are needed (2/3)",
    ),
    "review.outcome.case_ends": (
        "Với {votes_for} tán thành, {votes_against} không tán thành: hồ sơ sẽ kết thúc (không "
        "được đề nghị kết nạp)",
        "With {votes_for} for and {votes_against} against: the case ends (admission is not "
        "proposed)",
    ),
    "review.outcome.proposed": (
        "Với {votes_for} tán thành, {votes_against} không tán thành: chi bộ đề nghị kết nạp, hồ "
        "sơ chuyển lên cấp ủy xét",
        "With {votes_for} for and {votes_against} against: the cell proposes admission, the "
        "case goes up to the committee",
    ),
    "review.outcome.committee_passed": (
        "Với {votes_for} tán thành, {votes_against} không tán thành: nghị quyết đạt 2/3, hồ sơ "
        "chuyển sang quyết định kết nạp",
        "With {votes_for} for and {votes_against} against: the resolution passes, the case "
        "goes to the decision",
    ),
    "review.outcome.reported_up": (
        "Với {votes_for} tán thành, {votes_against} không tán thành: không đạt 2/3; kết quả "
        "được báo cáo đầy đủ lên cấp ủy có thẩm quyền quyết định, hồ sơ chưa kết thúc",
        "With {votes_for} for and {votes_against} against: short of 2/3; the full result is "
        "reported to the deciding committee, the case goes on",
    ),
    "review.outcome.own_resolution_fails": (
        "Với {votes_for} tán thành, {votes_against} không tán thành: không đạt 2/3; đảng ủy cơ "
        "sở không thể tự quyết định kết nạp",
        "With {votes_for} for and {votes_against} against: short of 2/3; the grassroots "
        "committee cannot decide to admit",
    ),
    "review.outcome.recognition_proposed": (
        "Với {votes_for} tán thành, {votes_against} không tán thành: chi bộ đề nghị công nhận "
        "đảng viên chính thức; cấp ủy có thẩm quyền quyết định",
        "With {votes_for} for and {votes_against} against: the cell proposes full membership; "
        "the competent committee decides",
    ),
    "review.outcome.strike_off_proposed": (
        "Với {votes_for} tán thành, {votes_against} không tán thành: chi bộ đề nghị xóa tên "
        "khỏi danh sách đảng viên dự bị; cấp ủy có thẩm quyền quyết định",
        "With {votes_for} for and {votes_against} against: the cell proposes striking the "
        "name off; the competent committee decides",
    ),
    "review.outcome.vote_failed": (
        "Với {votes_for} tán thành, {votes_against} không tán thành: không đạt 2/3 — lần không "
        "đạt thứ {n}; sau {of} lần không đạt, cấp ủy cấp trên quyết định",
        "With {votes_for} for and {votes_against} against: short of 2/3 — failed vote {n}; "
        "after {of} failed votes the upper committee decides",
    ),
    "review.outcome.deadlock": (
        "Với {votes_for} tán thành, {votes_against} không tán thành: không đạt 2/3 lần thứ {n}: "
        "việc chuyển lên cấp ủy cấp trên quyết định",
        "With {votes_for} for and {votes_against} against: failed vote {n}: the upper "
        "committee now decides",
    ),
    "review.decide": (
        "{committee} quyết định kết nạp (số {number}) ngày {day}; ngày quyết định tính tuổi "
        "đảng; chi bộ tổ chức lễ kết nạp trong {wd} ngày làm việc kể từ khi nhận quyết định",
        "{committee} decides to admit (no. {number}) on {day}; party age counts from the "
        "decision; the cell holds the ceremony within {wd} working days of receiving it",
    ),
    "review.refuse": (
        "{committee} không kết nạp: hồ sơ kết thúc, chi bộ được thông báo kết quả",
        "{committee} refuses admission: the case ends and the cell is told",
    ),
    "review.withdraw": (
        "Người xin vào Đảng rút hồ sơ: hồ sơ kết thúc",
        "The applicant withdraws: the case ends",
    ),
    "review.stop": (
        "Hồ sơ dừng lại và kết thúc; muốn xét lại phải mở hồ sơ mới",
        "The case stops and ends; considering the person again needs a new case",
    ),
    "review.recognize": (
        "{committee} công nhận đảng viên chính thức, có hiệu lực từ {effective} (ngày hết 12 "
        "tháng dự bị, dù quyết định muộn)",
        "{committee} recognizes full membership, effective {effective} (the end of the 12 "
        "months, however late the decision)",
    ),
    "review.strike_off": (
        "{committee} xóa tên khỏi danh sách đảng viên dự bị: ra khỏi danh sách chi bộ từ ngày "
        "{day}; chỉ được xét kết nạp lại sau ít nhất {months} tháng",
        "{committee} strikes the name off the probationers' list: off the cell's roll from "
        "{day}; readmission only after at least {months} months",
    ),
    "review.record_departure": (
        "{kind} ngày {day}, do {committee} quyết định: ra khỏi danh sách chi bộ",
        "{kind} on {day}, decided by {committee}: off the cell's roll",
    ),
    "review.readmit": (
        "Chỉ được xét kết nạp lại sau ít nhất {months} tháng",
        "Readmission only after at least {months} months",
    ),
    "review.record_expungement": (
        "Ghi ngày xóa án tích {day}: việc kết nạp lại chờ thêm ít nhất {months} tháng kể từ ngày "
        "này",
        "Expungement recorded on {day}: readmission waits at least {months} months from it",
    ),
    "review.discipline": (
        "Kỷ luật {penalty} ngày {day} được ghi vào hồ sơ đảng viên và không xóa được",
        "The penalty ({penalty}) of {day} is entered in the member's file and cannot be removed",
    ),
    "review.discipline_probation": (
        "Đảng viên dự bị chỉ bị khiển trách hoặc cảnh cáo",
        "A probationary member may only be reprimanded or warned",
    ),
    # --- a member's standing (standing.py) ---
    "standing.title": ("Tình trạng hiện nay", "Standing today"),
    "standing.holds": ("Đang kiểm tra, khiếu nại, xem xét kỷ luật", "Holds"),
    "standing.exempt": ("Miễn sinh hoạt", "Exempted from activity"),
    "standing.exempt_until": ("Đến ngày {until}", "Until {until}"),
    "standing.penalties": ("Kỷ luật", "Penalties"),
    "standing.residence": ("Chi bộ nơi cư trú (213)", "Residence cell (213)"),
    "standing.course": ("Lớp bồi dưỡng đảng viên mới", "New-member course"),
    "standing.helper": ("Đảng viên giúp đỡ", "Helper"),
    # --- dissolution ---
    "dissolve.title": ("Giải thể chi bộ", "Dissolve a cell"),
    "dissolve.pick": ("1. Chọn chi bộ", "1. Pick the cell"),
    "dissolve.preview": ("2. Xem và điều chỉnh nơi chuyển đến", "2. Review where each member goes"),
    "dissolve.confirm": ("3. Xác nhận giải thể", "3. Confirm the dissolution"),
    "dissolve.progress": ("4. Tiến độ", "4. Progress"),
    "dissolve.submit": ("Xác nhận giải thể", "Confirm the dissolution"),
    "dissolve.members": ("{count} đảng viên", "{count} members"),
    "dissolve.on": ("Ngày giải thể (dd/mm/yyyy)", "Date of the dissolution (dd/mm/yyyy)"),
    "dissolve.next": ("Tiếp tục", "Continue"),
    "dissolve.member": ("Đảng viên", "Member"),
    "dissolve.to": ("Chuyển đến chi bộ", "Moves to the cell"),
    "dissolve.suggested": ("theo nơi cư trú (213)", "residence (213)"),
    "dissolve.no_cells": (
        "Không có chi bộ nào trong phạm vi.",
        "No cell in your part of the tree.",
    ),
    "dissolve.no_destination": (
        "Không có chi bộ nào khác trong cùng đảng bộ cơ sở để chuyển đến.",
        "No other cell of the same grassroots organization to move to.",
    ),
    "dissolve.moved": ("Đã chuyển {moved}/{total}", "Moved {moved} of {total}"),
    "dissolve.failed": ("{count} lượt chuyển lỗi, đang thử lại", "{count} moves failed; retrying"),
    "dissolve.done": ("Chi bộ đã được giải thể.", "The cell is dissolved."),
    "dissolve.running": (
        "Đang chuyển sinh hoạt… trang tự làm mới.",
        "Moving… this page refreshes.",
    ),
    "dissolve.retry": ("Thử lại các lượt lỗi", "Retry the failed moves"),
    "dissolve.warning": (
        "Mỗi đảng viên được chuyển sinh hoạt nội bộ tới chi bộ đã chọn; chi bộ chỉ giải thể khi "
        "mọi đảng viên đã chuyển xong.",
        "Each member moves by an internal transfer to the cell chosen; the cell is dissolved "
        "only once every member has moved.",
    ),
    "dissolve.in_transit": (
        "{count} đảng viên đang chuyển sinh hoạt đi, đến hoặc tạm thời: hoàn tất hoặc hủy từng "
        "việc chuyển trước khi giải thể chi bộ.",
        "{count} members have a transfer under way out of, into or away from the cell: complete "
        "or cancel each before the cell is dissolved.",
    ),
    "dissolve.leaving": ("Đang chuyển sinh hoạt đi", "Transfer out under way"),
    "dissolve.arriving": ("Đang chuyển sinh hoạt đến", "Transfer in under way"),
    "dissolve.resolve_first": (
        "hoàn tất hoặc hủy trước khi giải thể",
        "complete or cancel it before the dissolution",
    ),
    "dissolve.missing": (
        "Chọn chi bộ chuyển đến cho đảng viên này",
        "Choose the cell this member moves to",
    ),
    # --- dissolution at scale (issue 15): several cells on one date ---
    "dissolve.kind": ("Loại hình chi bộ", "Kind of cell"),
    "dissolve.select_kind": ("Chọn tất cả chi bộ loại này", "Tick every cell of this kind"),
    "dissolve.kept": ("Không thể giải thể ({count})", "Cannot be dissolved ({count})"),
    "dissolve.none_picked": ("Chọn ít nhất một chi bộ", "Pick at least one cell"),
    "dissolve.residence_cells": ("Chi bộ nơi cư trú", "Residence cells"),
    "dissolve.other_cells": ("Chi bộ khác", "Other cells"),
    "dissolve.totals": ("Tổng cộng", "Totals"),
    "dissolve.total_cells": ("Số chi bộ giải thể", "Cells dissolved"),
    "dissolve.total_members": ("Số đảng viên chuyển sinh hoạt", "Members moving"),
    "dissolve.unplaced": ("Chưa có nơi chuyển đến", "Without a destination yet"),
    "dissolve.per_destination": ("Số đảng viên theo chi bộ chuyển đến", "Members per destination"),
    "dissolve.update": ("Cập nhật tổng số", "Update the totals"),
    "dissolve.batch_consequence": (
        "Giải thể {cells} chi bộ vào ngày {on}: {members} đảng viên chuyển sinh hoạt nội bộ tới "
        "chi bộ đã chọn, rồi các chi bộ chấm dứt hoạt động. Việc này không hoàn tác được.",
        "Dissolve {cells} cells on {on}: {members} members move by internal transfers to the "
        "cells chosen, then the cells end. This cannot be undone.",
    ),
    "dissolve.cell": ("Chi bộ", "Cell"),
    "dissolve.state": ("Trạng thái", "State"),
    "dissolve.moved_col": ("Đã chuyển", "Moved"),
    "dissolve.failures": ("Lượt chuyển lỗi (sẽ thử lại)", "Failed moves (retried)"),
    "dissolve.state.running": ("Đang chuyển sinh hoạt", "Moving"),
    "dissolve.state.dissolved": ("Đã giải thể", "Dissolved"),
    "dissolve.state.failed": ("Không giải thể được", "Not dissolved"),
    "dissolve.batch_moved": (
        "Đã chuyển {moved}/{total} đảng viên; {dissolved}/{cells} chi bộ đã giải thể",
        "Moved {moved} of {total} members; {dissolved} of {cells} cells dissolved",
    ),
    "dissolve.batch_done": ("Đợt giải thể đã kết thúc.", "The batch has ended."),
    "dissolve.on_day": ("Ngày giải thể: {on}", "Date of the dissolution: {on}"),
    "dissolve.too_many": (
        "Tổ chức này có quá nhiều chi bộ để liệt kê một lần: chọn một tổ chức cấp dưới ở đầu "
        "trang.",
        "Too many cells to list at once: pick a unit below it at the top of the page.",
    ),
    # --- audit ---
    # --- the member register ---
    "register.title": ("Danh sách đảng viên", "Member register"),
    "register.name": ("Họ tên", "Name"),
    "register.name_hint": ("gõ có dấu hoặc không dấu", "with or without accents"),
    "register.unit": ("Đơn vị", "Unit"),
    "register.dissolved": ("đã giải thể", "dissolved"),
    "register.status": ("Tình trạng", "Status"),
    "register.any_status": ("Tất cả", "Any"),
    "register.search": ("Tìm", "Search"),
    "register.total": ("Tìm thấy {count} đảng viên", "{count} members found"),
    "register.here": ("{count} sinh hoạt trực tiếp tại đơn vị", "{count} on the unit's own roll"),
    "register.found": ("Số đảng viên", "Members"),
    "register.previous": ("‹ Trang trước", "‹ Previous"),
    "register.next": ("Trang sau ›", "Next ›"),
    "register.page": ("Trang {page}/{pages}", "Page {page} of {pages}"),
    "register.none": ("Không có đảng viên nào phù hợp", "No member matches"),
    "register.roll": ("Danh sách chi bộ tại một ngày", "A cell's roll on a date"),
    "roll.title": ("Danh sách chi bộ", "Cell roll"),
    "roll.on": ("Những gì đúng vào ngày này", "What was true on this date"),
    "roll.show": ("Xem", "Show"),
    "roll.choose": ("Chọn một chi bộ", "Choose a cell"),
    "roll.summary": (
        "Ngày {date}: {count} đảng viên trong danh sách, {full} đảng viên chính thức",
        "On {date}: {count} members on the roll, {full} full members",
    ),
    "roll.since": ("Sinh hoạt tại chi bộ từ", "On this roll since"),
    "audit.title": ("Kiểm tra", "Audit"),
    "audit.person": ("Diễn biến của một người", "A person's timeline"),
    "audit.citizen_id": ("Số CCCD", "Citizen ID"),
    "audit.find": ("Tìm", "Find"),
    "audit.case_as_of": ("Hồ sơ tại một ngày", "A record on a date"),
    "audit.case_id": ("Mã hồ sơ", "Case id"),
    "audit.date": ("Ngày (dd/mm/yyyy)", "Date (dd/mm/yyyy)"),
    "audit.basis": ("Xem theo", "Read as"),
    "audit.basis_effective": (
        "Điều đã đúng vào ngày đó (theo ngày hiệu lực của từng việc)",
        "What was true on that day (by the date each act took effect)",
    ),
    "audit.basis_recorded": (
        "Điều sổ sự kiện đã biết vào cuối ngày đó (theo thời điểm ghi nhận)",
        "What the record knew at the end of that day (by when each act was recorded)",
    ),
    "audit.basis_effective_result": (
        "Hồ sơ như đã đúng vào ngày {date}: {count} sự kiện có hiệu lực đến ngày đó",
        "The record as things stood on {date}: {count} events in effect by then",
    ),
    "audit.basis_recorded_result": (
        "Hồ sơ như sổ sự kiện đã biết cuối ngày {date} (giờ Việt Nam): {count} sự kiện đã "
        "được ghi nhận",
        "The record as known at the end of {date} (Vietnam time): {count} events recorded by then",
    ),
    "audit.not_yet_effective": (
        "Vào ngày đó hồ sơ này chưa tồn tại.",
        "On that day this record did not exist yet.",
    ),
    "audit.not_yet_recorded": (
        "Đến cuối ngày đó sổ sự kiện chưa ghi nhận gì về hồ sơ này.",
        "By the end of that day nothing about this record had been recorded yet.",
    ),
    "audit.first_event": (
        "Sự kiện đầu tiên của hồ sơ có hiệu lực ngày {effective}, được ghi nhận lúc {recorded} "
        "(giờ Việt Nam).",
        "Its first event took effect on {effective} and was recorded at {recorded} (Vietnam time).",
    ),
    "audit.counted_events": ("Các sự kiện được tính", "The events counted"),
    "audit.timeline_title": ("Diễn biến của người", "Timeline of a person"),
    "audit.bad_citizen_id": (
        "Số CCCD gồm 12 chữ số (hoặc CMND 9 chữ số)",
        "A citizen ID is 12 digits (or 9 for an old ID card)",
    ),
    "audit.bad_case_id": ("Mã hồ sơ không hợp lệ", "Not a case id"),
    "audit.seal": (
        "Niêm phong hồ sơ gần nhất: {size} sự kiện, gốc {root}…, lúc {at} (giờ Việt Nam), "
        "khóa {fingerprint}",
        "Last seal of the record: {size} events, root {root}…, at {at} (Vietnam time), "
        "key {fingerprint}",
    ),
    "audit.no_seal": ("Hồ sơ chưa được niêm phong lần nào.", "The record has not been sealed yet."),
    "audit.unsealed": (
        "Chưa niêm phong: {count} sự kiện ghi sau lần niêm phong gần nhất (niêm phong hằng ngày).",
        "Not sealed yet: {count} events recorded since the last seal (sealed daily).",
    ),
    # --- export ---
    "export.quota_sheet": ("Chỉ tiêu", "Quota"),
    "export.stage_sheet": ("Danh sách theo bước", "By stage"),
    "export.title": ("Báo cáo chỉ tiêu kết nạp đảng viên năm {year}", "Admission report {year}"),
    "export.as_of": ("Số liệu tại ngày", "Figures as of"),
    "export.org": ("Tổ chức", "Organization"),
    "export.case": ("Hồ sơ", "Case"),
    "export.person": ("Họ và tên", "Full name"),
    "export.cell": ("Chi bộ", "Cell"),
    "export.stage": ("Bước", "Stage"),
    "export.since": ("Từ ngày", "Since"),
    "export.rule": ("Quy định", "Rule"),
    "export.due": ("Hạn", "Due"),
    "export.left": ("Số ngày làm việc còn lại", "Working days left"),
    "export.level": ("Mức cảnh báo", "Escalation"),
    "export.percent": ("Tỷ lệ đạt (%)", "Achieved (%)"),
    "export.pipeline": ("Đang trong quy trình", "In the pipeline"),
    # --- errors ---
    "error.title": ("Không thực hiện được", "Not possible"),
    "error.csrf": (
        "Phiên làm việc của biểu mẫu đã hết hạn, hãy tải lại trang và thử lại",
        "The form's session expired; reload the page and try again",
    ),
    "error.date": ("Ngày theo dạng dd/mm/yyyy", "A date as dd/mm/yyyy"),
    "error.back": ("Về trang chủ", "Back home"),
    "error.not_found": (
        "Không tìm thấy, hoặc nằm ngoài phạm vi của bạn",
        "Not found, or outside your part of the tree",
    ),
    "form.required": ("Bắt buộc", "Required"),
    "form.integer": ("Cần một số nguyên", "A whole number"),
    "form.too_small": ("Không được nhỏ hơn {limit}", "At least {limit}"),
    "form.too_large": ("Không được lớn hơn {limit}", "At most {limit}"),
    "form.too_long": ("Quá dài", "Too long"),
    "form.invalid": ("Giá trị không hợp lệ", "Not a valid value"),
    "form.date_range": ("Ngày ngoài khoảng cho phép", "The date is out of range"),
    # --- roles (infra.users.Role, and the roles of the record) ---
    "role.cell_secretary": ("Bí thư chi bộ", "Cell secretary"),
    "role.grassroots_officer": ("Cán bộ đảng ủy cơ sở", "Grassroots officer"),
    "role.department_officer": ("Cán bộ Ban Tổ chức", "Organization-department officer"),
    "role.org_department_officer": ("Cán bộ Ban Tổ chức", "Organization-department officer"),
    "role.auditor": ("Kiểm tra", "Auditor"),
    "role.administrator": ("Quản trị viên", "Administrator"),
    "role.system": ("Hệ thống", "The system"),
    **LABELS,  # kinds, stages and steps: the domain's own words (domain/labels.py)
    # --- arguments of steps (the fields of the classes of domain/commands/) ---
    "arg.number": ("Số", "Number"),
    "arg.relatives": ("Người thân cần thẩm tra", "Relatives to verify"),
    "arg.key": ("Mã", "Key"),
    "arg.relationship": ("Quan hệ", "Relationship"),
    "arg.full_name": ("Họ và tên", "Full name"),
    "arg.lives_or_works_at": ("Nơi ở hoặc làm việc", "Lives or works at"),
    "arg.is_party_member": ("Là đảng viên", "Party member"),
    "arg.slot": ("Người giới thiệu thứ", "Introducer number"),
    "arg.kind": ("Loại", "Kind"),
    "arg.letter_on": ("Ngày viết giấy giới thiệu", "Date of the letter"),
    "arg.member_id": ("Đảng viên", "Member"),
    "arg.together_since": ("Cùng công tác, học tập, cư trú từ", "Together since"),
    "arg.same_grassroots": ("Cùng đảng bộ cơ sở", "Same grassroots organization"),
    "arg.subject": ("Người được thẩm tra (mã)", "Verified person (key)"),
    "arg.sent_to": ("Gửi tới", "Sent to"),
    "arg.satisfactory": ("Kết quả đạt", "Satisfactory"),
    "arg.note": ("Ghi chú", "Note"),
    "arg.member_relative_key": ("Mã người thân là đảng viên", "Key of the member relative"),
    "arg.source": ("Nguồn ý kiến", "Source"),
    "arg.votes_for": ("Số phiếu tán thành", "Votes for"),
    "arg.votes_against": ("Số phiếu không tán thành", "Votes against"),
    "arg.excused_voting": (
        "Đảng viên miễn/đi vắng có biểu quyết",
        "Excused members who voted",
    ),
    "arg.provincial_consent_over_60": (
        "Có văn bản đồng ý của ban thường vụ tỉnh ủy (trên 60 tuổi)",
        "Provincial consent (over 60)",
    ),
    "arg.unit_has_youth_union": ("Đơn vị có tổ chức Đoàn", "The unit has a youth union"),
    "arg.committee_size": ("Số ủy viên đảng ủy", "Committee members"),
    "arg.extra_wd": ("Số ngày làm việc gia hạn", "Extra working days"),
    "arg.reason": ("Lý do", "Reason"),
    "arg.decided_by": ("Cấp ủy quyết định", "Deciding committee"),
    "arg.until": ("Lùi đến ngày", "Until"),
    "arg.approved_by": ("Cấp ủy duyệt", "Approving committee"),
    "arg.helper_member_id": ("Đảng viên giúp đỡ", "Helper"),
    "arg.certificate_no": ("Số giấy chứng nhận", "Certificate number"),
    "arg.motion": ("Nội dung biểu quyết", "Motion"),
    "arg.by_upper_committee": ("Do cấp ủy cấp trên quyết định", "By the upper committee"),
    "arg.penalty": ("Hình thức kỷ luật", "Penalty"),
    "arg.ends_on": ("Đến ngày", "Until"),
    "arg.residence_cell_id": ("Chi bộ nơi cư trú", "Residence cell"),
    "arg.year": ("Năm", "Year"),
    "arg.favourable": ("Nhận xét tốt", "Favourable"),
    "arg.from_org_id": ("Từ tổ chức", "From"),
    "arg.to_org_id": ("Đến tổ chức", "To"),
    "arg.letter_no": ("Số giấy giới thiệu", "Letter number"),
    "arg.reference": ("Mã hồ sơ trên Cổng", "Portal reference"),
    # --- values of the arguments' enums ---
    # --- papers (issue 16: domain.paper.PaperKind) ---
    "enum.cell_resolution": (
        "Nghị quyết chi bộ đề nghị kết nạp",
        "Cell resolution proposing admission",
    ),
    "enum.admission_decision": ("Quyết định kết nạp đảng viên", "Admission decision"),
    "papers.title": ("Giấy tờ", "Papers"),
    "papers.none": ("Chưa ban hành giấy tờ nào", "No paper issued yet"),
    "papers.issued": ("Đang có hiệu lực", "In force"),
    "papers.superseded": ("Đã được thay thế bằng số {symbol}", "Superseded by no. {symbol}"),
    "papers.code": ("Mã xác minh {code}", "Verification code {code}"),
    "papers.download": ("Tải về (DOCX)", "Download (DOCX)"),
    "papers.printable": ("Bản in (PDF)", "Printable (PDF)"),
    "papers.on": ("Ngày ban hành", "Date of issue"),
    "papers.issue": ("Ban hành {kind}", "Issue the {kind}"),
    "papers.bad_date": ("Nhập ngày theo dạng dd/mm/yyyy", "Enter the date as dd/mm/yyyy"),
    "papers.supersede": ("Ban hành bản thay thế", "Issue a replacement"),
    "papers.reason": ("Lý do thay thế", "Reason for the replacement"),
    "papers.no_reason": (
        "Ghi lý do thay thế (tối đa 300 ký tự)",
        "Give the reason for the replacement (300 characters at most)",
    ),
    "verify.title": ("Kiểm tra giấy tờ", "Verify a paper"),
    "verify.valid": (
        "Giấy tờ này khớp với hồ sơ và đang có hiệu lực",
        "This paper matches the record and stands",
    ),
    "verify.superseded": (
        "Giấy tờ này đã được thay thế bằng giấy tờ số {symbol}",
        "This paper has been superseded by no. {symbol}",
    ),
    "verify.kind": ("Loại giấy tờ", "Kind of paper"),
    "verify.number": ("Số, ký hiệu", "Number and symbol"),
    "verify.symbol": ("Số {symbol}", "No. {symbol}"),
    "verify.date": ("Ngày ban hành", "Issued on"),
    "verify.issuer": ("Cơ quan ban hành", "Issuing body"),
    "verify.case": ("Mở hồ sơ", "Open the case"),
    "verify.note": (
        "Trang này chỉ cho biết giấy tờ có khớp với hồ sơ hay không; thông tin cá nhân không "
        "được hiển thị.",
        "This page only tells whether the paper matches the record; no personal data is shown.",
    ),
    # --- paper templates (issue 16, task "templates": infra/web/paper_templates.py) ---
    "templates.link": ("Mẫu giấy tờ", "Paper templates"),
    "templates.title": ("Mẫu giấy tờ", "Paper templates"),
    "templates.hint": (
        "Giấy tờ được ban hành theo mẫu riêng của tổ chức; nếu chưa có, theo mẫu của cấp ủy cấp "
        "trên gần nhất; nếu không, theo mẫu mặc định. Mỗi lần tải lên là một phiên bản mới; giấy "
        "tờ đã ban hành giữ nguyên mẫu lúc ban hành.",
        "Papers are issued with the organization's own template; without one, with the nearest "
        "committee above's; otherwise with the default. Each upload is a new version; a paper "
        "already issued keeps the template it was issued with.",
    ),
    "templates.own": (
        "Mẫu riêng của tổ chức (phiên bản {version})",
        "Own template (version {version})",
    ),
    "templates.inherited": (
        "Theo mẫu của {owner} (phiên bản {version})",
        "Inherited from {owner} (version {version})",
    ),
    "templates.default": ("Mẫu mặc định", "The default template"),
    "templates.download_in_force": ("Tải mẫu đang dùng", "Download the template in force"),
    "templates.download_default": ("Tải mẫu mặc định", "Download the default"),
    "templates.download": ("Tải về", "Download"),
    "templates.version": ("Phiên bản", "Version"),
    "templates.adopted_on": ("Ngày áp dụng", "Adopted on"),
    "templates.adopted_by": ("Người tải lên", "Uploaded by"),
    "templates.fingerprint": ("Dấu vân tay (SHA-256)", "Fingerprint (SHA-256)"),
    "templates.restores": ("(dùng lại phiên bản {version})", "(version {version} again)"),
    "templates.restore": ("Dùng lại phiên bản này", "Adopt this version again"),
    "templates.upload": ("Tải lên mẫu mới", "Upload a new template"),
    "templates.file": ("Tệp mẫu (.docx, tối đa 1 MB)", "Template file (.docx, 1 MB at most)"),
    "templates.tags": ("Các thẻ dùng được trong mẫu", "The tags a template may use"),
    "templates.done.uploaded": ("Đã áp dụng mẫu mới", "The new template is in force"),
    "templates.done.restored": (
        "Đã dùng lại phiên bản cũ",
        "The earlier version is in force again",
    ),
    # ---
    "enum.full_member": ("Đảng viên chính thức", "Full member"),
    "enum.youth_union_executive": ("Ban chấp hành Đoàn cơ sở", "Youth-union executive"),
    "enum.trade_union_executive": ("Ban chấp hành Công đoàn cơ sở", "Trade-union executive"),
    "enum.workplace_organizations": (
        "Đoàn thể chính trị - xã hội nơi làm việc",
        "Organizations at the workplace",
    ),
    "enum.residence_cell": ("Chi ủy nơi cư trú", "Residence cell committee"),
    "enum.self_review": ("Bản tự kiểm điểm", "Self-review"),
    "enum.helper_comments": ("Nhận xét của đảng viên giúp đỡ", "Helper's comments"),
    "enum.new_member_course": (
        "Giấy chứng nhận lớp bồi dưỡng đảng viên mới",
        "New-member course certificate",
    ),
    "enum.left": ("Xin ra khỏi Đảng", "Left at their request"),
    "enum.struck_off": ("Xóa tên", "Struck off"),
    "enum.expelled": ("Khai trừ", "Expelled"),
    "enum.recognize": ("Công nhận chính thức", "Recognize"),
    "enum.strike_off": ("Xóa tên", "Strike off"),
    "enum.inspection": ("Đang bị kiểm tra", "Under inspection"),
    "enum.complaint": ("Đang giải quyết khiếu nại, tố cáo", "A complaint is open"),
    "enum.discipline_review": ("Đang xem xét kỷ luật", "Discipline under review"),
    "enum.father": ("Cha đẻ", "Father"),
    "enum.mother": ("Mẹ đẻ", "Mother"),
    "enum.raiser": ("Người nuôi dưỡng", "Raised by"),
    "enum.spouse": ("Vợ/chồng", "Spouse"),
    "enum.father_in_law": ("Cha vợ/chồng", "Father-in-law"),
    "enum.mother_in_law": ("Mẹ vợ/chồng", "Mother-in-law"),
    "enum.adult_child": ("Con đã trưởng thành", "Adult child"),
    "enum.female": ("Nữ", "Female"),
    "enum.male": ("Nam", "Male"),
    "enum.primary": ("Tiểu học", "Primary"),
    "enum.lower_secondary": ("Trung học cơ sở", "Lower secondary"),
    "enum.upper_secondary": ("Trung học phổ thông", "Upper secondary"),
    "enum.official": ("Chính thức", "Official"),
    "enum.temporary": ("Tạm thời", "Temporary"),
    "enum.internal": ("Nội bộ", "Internal"),
    "enum.new_job": ("Nhận công tác mới", "New job"),
    "enum.retirement": ("Nghỉ hưu", "Retirement"),
    "enum.demobilisation": ("Xuất ngũ", "Demobilisation"),
    "enum.residence_change": ("Thay đổi nơi cư trú", "Change of residence"),
    "enum.work_away": ("Đi làm việc xa", "Work away"),
    "enum.study": ("Đi học", "Study"),
    "enum.reorganisation": ("Sắp xếp tổ chức", "Reorganisation"),
    "enum.other": ("Khác", "Other"),
    # --- breakdown groups (projections.rows.BREAKDOWNS) ---
    "group.female": ("Nữ", "Women"),
    "group.ethnic_minority": ("Dân tộc thiểu số", "Ethnic minorities"),
    "group.religious": ("Có đạo", "Religious followers"),
    "group.youth_union": ("Đoàn viên", "Youth-union members"),
    "group.private_sector_worker": (
        "Công nhân doanh nghiệp ngoài nhà nước",
        "Private and foreign-invested enterprise workers",
    ),
    "group.student": ("Học sinh, sinh viên", "Students"),
    # --- occupations (the demo's and the import's words; others show as typed) ---
    "occupation.farmer": ("Nông dân", "Farmer"),
    "occupation.self_employed": ("Lao động tự do", "Self-employed"),
    "occupation.private_enterprise_worker": (
        "Công nhân doanh nghiệp tư nhân",
        "Private enterprise worker",
    ),
    "occupation.foreign_invested_worker": (
        "Công nhân doanh nghiệp có vốn đầu tư nước ngoài",
        "Foreign-invested enterprise worker",
    ),
    "occupation.student": ("Học sinh, sinh viên", "Student"),
    "occupation.civil_servant": ("Cán bộ, công chức", "Civil servant"),
    "occupation.police": ("Công an", "Police"),
    "occupation.health_worker": ("Nhân viên y tế", "Health worker"),
    "occupation.soldier": ("Quân nhân", "Soldier"),
    "occupation.teacher": ("Giáo viên", "Teacher"),
    # --- events of the record (the audit timeline) ---
    "event.Accepted": ("Chi bộ tiếp nhận", "Accepted"),
    "event.AdmissionDecided": ("Quyết định kết nạp", "Admission decided"),
    "event.AdmissionRefused": ("Không kết nạp", "Admission refused"),
    "event.Admitted": ("Kết nạp", "Admitted"),
    "event.ApplicationSubmitted": ("Nộp đơn xin vào Đảng", "Application submitted"),
    "event.AwayChanged": ("Thay đổi sinh hoạt tạm thời", "Temporary stay changed"),
    "event.BackgroundCertified": ("Chứng nhận lý lịch", "Background certified"),
    "event.BackgroundDeclared": ("Khai lý lịch", "Background declared"),
    "event.Cancelled": ("Hủy", "Cancelled"),
    "event.CaseClosed": ("Hồ sơ kết thúc", "Case closed"),
    "event.CaseOpened": ("Mở hồ sơ", "Case opened"),
    "event.CellChanged": ("Đổi chi bộ", "Cell changed"),
    "event.CellVoted": ("Chi bộ biểu quyết", "Cell voted"),
    "event.CeremonyDelayApproved": ("Duyệt lùi lễ kết nạp", "Ceremony delay approved"),
    "event.CeremonyHeld": ("Lễ kết nạp", "Ceremony held"),
    "event.CertificateRecorded": ("Giấy chứng nhận học lớp nhận thức", "Certificate recorded"),
    "event.CommentRecorded": ("Ý kiến nhận xét", "Comment recorded"),
    "event.CommentsSummarized": ("Tổng hợp ý kiến nhận xét", "Comments summarized"),
    "event.CommitteeVoted": ("Đảng ủy biểu quyết", "Committee voted"),
    "event.Corrected": ("Đính chính", "Corrected"),
    "event.DecisionDeadlineExtended": ("Gia hạn xét quyết định", "Decision deadline extended"),
    "event.DecisionReceived": ("Chi bộ nhận quyết định", "Decision received"),
    "event.Disciplined": ("Kỷ luật", "Disciplined"),
    "event.Dissolved": ("Giải thể", "Dissolved"),
    "event.Ended": ("Kết thúc", "Ended"),
    "event.Escalated": ("Cảnh báo quá hạn", "Escalated"),
    "event.Exempted": ("Miễn sinh hoạt", "Exempted"),
    "event.FamilySideExempted": ("Miễn thẩm tra một bên gia đình", "Family side exempted"),
    "event.HamletRegistered": ("Đăng ký thôn, tổ dân phố", "Hamlet registered"),
    "event.HamletsServed": ("Chi bộ phụ trách thôn", "Hamlets served"),
    "event.HelperAssigned": ("Phân công đảng viên giúp đỡ", "Helper assigned"),
    "event.HoldPlaced": ("Bắt đầu kiểm tra, khiếu nại, kỷ luật", "Hold placed"),
    "event.HoldReleased": ("Kết thúc kiểm tra, khiếu nại, kỷ luật", "Hold released"),
    "event.IntermediateAppraised": ("Đảng ủy bộ phận thẩm định", "Intermediate appraisal"),
    "event.IntroducerAssigned": ("Phân công người giới thiệu", "Introducer assigned"),
    "event.LeftParty": ("Ra khỏi Đảng", "Left the Party"),
    "event.Departed": ("Ra khỏi Đảng", "Left the Party"),
    "event.Expunged": ("Xóa án tích", "Record expunged"),
    "event.RecognitionPaperFiled": (
        "Nhận hồ sơ xét công nhận chính thức",
        "Recognition paper filed",
    ),
    "event.PrerequisiteExempted": (
        "Miễn một nội dung hồ sơ xét công nhận",
        "Prerequisite exempted",
    ),
    "event.LetterForwarded": ("Chuyển thư giới thiệu", "Letter forwarded"),
    "event.LetterPresented": ("Nộp thư giới thiệu", "Letter presented"),
    "event.MemberEnrolled": ("Vào danh sách chi bộ", "Member enrolled"),
    "event.MemberReleased": ("Ra khỏi danh sách chi bộ", "Member released"),
    "event.TransferOpened": ("Có việc chuyển sinh hoạt đi hoặc đến", "Transfer under way"),
    "event.TransferClosed": (
        "Việc chuyển sinh hoạt đã tiếp nhận hoặc hủy",
        "Transfer accepted or cancelled",
    ),
    "event.MembershipRecorded": ("Ghi nhận đảng viên", "Membership recorded"),
    "event.NewMemberCourseCompleted": (
        "Hoàn thành lớp bồi dưỡng đảng viên mới",
        "New-member course completed",
    ),
    "event.Opened": ("Mở hồ sơ", "Opened"),
    "event.PortalReferenced": ("Mã hồ sơ trên Cổng dịch vụ công", "Portal reference"),
    "event.RecognitionDeadlineExtended": ("Gia hạn xét công nhận", "Recognition deadline extended"),
    "event.Recognized": ("Công nhận đảng viên chính thức", "Recognized"),
    "event.Registered": ("Đăng ký", "Registered"),
    "event.Renamed": ("Đổi tên", "Renamed"),
    "event.Reparented": ("Đổi cấp ủy cấp trên", "Reparented"),
    "event.ResidenceCommented": ("Nhận xét của chi bộ nơi cư trú", "Residence comment"),
    "event.ResidenceLinked": ("Gắn với chi bộ nơi cư trú", "Residence linked"),
    "event.Returned": ("Trở về", "Returned"),
    "event.ReviewVoted": ("Chi bộ biểu quyết xét công nhận", "Review voted"),
    "event.Started": ("Bắt đầu", "Started"),
    "event.StruckOff": ("Xóa tên", "Struck off"),
    "event.TargetSet": ("Giao chỉ tiêu", "Target set"),
    "event.VerificationRequested": ("Gửi thẩm tra lý lịch", "Verification requested"),
    "event.VerificationReturned": ("Kết quả thẩm tra lý lịch", "Verification returned"),
    # --- registration (infra/web/registration.py): organizations, hamlets, members, corrections ---
    "nav.orgs": ("Tổ chức", "Organizations"),
    "orgpage.facts": ("Thông tin tổ chức", "About the organization"),
    "orgpage.kind": ("Loại tổ chức", "Kind"),
    "orgpage.registered_on": ("Ngày thành lập", "Founded on"),
    "orgpage.parent": ("Cấp trên trực tiếp", "Directly under"),
    "orgpage.since": ("{name} (từ {day})", "{name} (since {day})"),
    "orgpage.dissolved_on": ("Ngày giải thể", "Dissolved on"),
    "orgpage.serves": ("Phụ trách các thôn, tổ dân phố", "Serves the hamlets"),
    "orgpage.units": ("Tổ chức trực thuộc", "Units under it"),
    "orgpage.hamlets": ("Thôn, tổ dân phố của xã", "The commune's hamlets"),
    "orgpage.served_by": ("Chi bộ phụ trách", "Served by"),
    "orgpage.no_cell": ("Chưa có chi bộ phụ trách", "No cell serves it"),
    "orgpage.changes": ("Đăng ký, thay đổi", "Register, change"),
    "orgpage.form.unit": ("Thành lập tổ chức trực thuộc", "Found a unit under it"),
    "orgpage.form.rename": ("Đổi tên", "Rename"),
    "orgpage.form.parent": ("Chuyển sang cấp trên khác", "Move under another parent"),
    "orgpage.form.dissolve": ("Giải thể hoặc sáp nhập", "Dissolve or merge"),
    "orgpage.form.hamlet": ("Đăng ký thôn, tổ dân phố", "Register a hamlet"),
    "orgpage.form.merge": ("Sáp nhập vào chi bộ khác", "Merge into another cell"),
    "orgpage.submit.merge": ("Sáp nhập", "Merge"),
    "orgpage.done.merge": ("Sáp nhập", "Merged"),
    "orgpage.merge_hint": (
        "Tất cả đảng viên của chi bộ chuyển sang chi bộ nhận, rồi chi bộ này giải thể; việc "
        "này không hoàn tác được",
        "Every member of the cell moves to the cell that takes over, then this cell is "
        "dissolved; this cannot be undone",
    ),
    "reg.merge.merged_into": ("Chi bộ nhận sáp nhập", "Cell that takes over"),
    "reg.merge.on": ("Ngày sáp nhập (dd/mm/yyyy)", "Merged on (dd/mm/yyyy)"),
    "orgpage.form.serves": ("Các thôn, tổ dân phố chi bộ phụ trách", "The hamlets the cell serves"),
    "orgpage.submit.unit": ("Thành lập", "Found it"),
    "orgpage.submit.rename": ("Đổi tên", "Rename"),
    "orgpage.submit.parent": ("Chuyển", "Move"),
    "orgpage.submit.dissolve": ("Giải thể", "Dissolve"),
    "orgpage.submit.hamlet": ("Đăng ký", "Register"),
    "orgpage.submit.serves": ("Lưu", "Save"),
    "orgpage.done.unit": ("Thành lập tổ chức", "Organization founded"),
    "orgpage.done.rename": ("Đổi tên", "Renamed"),
    "orgpage.done.parent": ("Chuyển cấp trên", "Moved"),
    "orgpage.done.dissolve": ("Giải thể", "Dissolved"),
    "orgpage.done.hamlet": ("Đăng ký thôn, tổ dân phố", "Hamlet registered"),
    "orgpage.done.serves": ("Các thôn chi bộ phụ trách", "Hamlets served"),
    "orgpage.dissolve_hint": (
        "Chỉ giải thể được tổ chức không còn đảng viên và không còn tổ chức trực thuộc; việc "
        "giải thể không hoàn tác được",
        "Only an organization with no member and nothing under it is dissolved here; a "
        "dissolution cannot be undone",
    ),
    "orgpage.has_members": (
        "Chi bộ còn {count} đảng viên: giải thể hoặc sáp nhập bằng quy trình giải thể chi bộ, "
        "chuyển từng đảng viên sang chi bộ mới (sáp nhập: chuyển tất cả sang chi bộ nhận).",
        "The cell still holds {count} members: dissolve or merge it through the dissolution "
        "of the cell, which moves each member to a new cell (a merger: all to the cell that "
        "takes over).",
    ),
    "orgpage.has_units": (
        "Còn tổ chức trực thuộc: giải thể hoặc chuyển chúng sang cấp trên khác trước.",
        "Units still sit under it: dissolve them or move them first.",
    ),
    "orgpage.merge_link": ("Giải thể, sáp nhập chi bộ…", "Dissolve or merge the cell…"),
    "reg.kind": ("Loại tổ chức", "Kind"),
    "reg.name": ("Tên", "Name"),
    "reg.on": ("Ngày hiệu lực (dd/mm/yyyy)", "Effective date (dd/mm/yyyy)"),
    "reg.unit.on": ("Ngày thành lập (dd/mm/yyyy)", "Founded on (dd/mm/yyyy)"),
    "reg.setting": ("Loại hình chi bộ", "Where the cell works"),
    "reg.may_admit": ("Được ủy quyền kết nạp đảng viên", "Authorised to admit members"),
    "reg.exempt_area": (
        "Vùng miền núi, biên giới, hải đảo, đồng bào dân tộc",
        "Mountain, border, island or ethnic area",
    ),
    "reg.rename.name": ("Tên mới", "New name"),
    "reg.parent_id": ("Cấp trên mới", "New parent"),
    "reg.merged_into": ("Sáp nhập vào (nếu có)", "Merged into (if any)"),
    "reg.dissolve.on": ("Ngày giải thể (dd/mm/yyyy)", "Dissolved on (dd/mm/yyyy)"),
    "reg.hamlet.name": ("Tên thôn, tổ dân phố", "Name of the hamlet"),
    "reg.key": ("Mã thôn", "Hamlet code"),
    "reg.keys": ("Các thôn, tổ dân phố phụ trách", "Hamlets served"),
    "reg.cell_id": ("Chi bộ sinh hoạt", "Cell"),
    "reg.decided_on": ("Ngày quyết định kết nạp (dd/mm/yyyy)", "Admission decided on (dd/mm/yyyy)"),
    "reg.joined_on": (
        "Ngày kết nạp (lễ kết nạp, dd/mm/yyyy)",
        "Joined on (the ceremony, dd/mm/yyyy)",
    ),
    "reg.full_from": (
        "Ngày đảng viên chính thức (nếu đã công nhận)",
        "Full member from (once recognized)",
    ),
    "reg.correct.on": (
        "Ngày phê duyệt việc sửa (dd/mm/yyyy)",
        "Correction approved on (dd/mm/yyyy)",
    ),
    "enum.hamlet": ("Thôn", "Hamlet"),
    "enum.residential_group": ("Tổ dân phố", "Residential group"),
    "enum.commune_agency": ("Cơ quan xã", "Commune agency"),
    "enum.commune_military": ("Quân sự xã", "Commune military"),
    "enum.police": ("Công an", "Police"),
    "enum.school": ("Trường học", "School"),
    "enum.health_station": ("Trạm y tế", "Health station"),
    "enum.enterprise": ("Doanh nghiệp", "Enterprise"),
    "enum.cooperative": ("Hợp tác xã", "Cooperative"),
    "enum.public_service_unit": ("Đơn vị sự nghiệp", "Public service unit"),
    "member_new.link": (
        "+ Đăng ký đảng viên từ hồ sơ giấy",
        "+ Register a member from a paper dossier",
    ),
    "member_new.title": (
        "Đăng ký đảng viên từ hồ sơ giấy",
        "Register a member from a paper dossier",
    ),
    "member_new.hint": (
        "Đảng viên kết nạp trước khi dùng hệ thống: ghi theo hồ sơ đảng viên. Người đã có hồ sơ "
        "giữ nguyên thông tin (sửa bằng chức năng sửa thông tin cá nhân).",
        "A member admitted before this system: as the member's dossier says. A person already "
        "recorded keeps their data (corrected with the correction of personal data).",
    ),
    "member_new.dossier": ("Hồ sơ đảng viên", "The member's dossier"),
    "member_new.person": ("Thông tin cá nhân của đảng viên", "The member's personal data"),
    "member_new.submit": ("Đăng ký đảng viên", "Register the member"),
    "step.register_member": (
        "Đăng ký đảng viên từ hồ sơ giấy",
        "Member registered from the dossier",
    ),
    "step.correct_person": ("Sửa thông tin cá nhân", "Personal data corrected"),
    "correct.link": ("Sửa thông tin cá nhân", "Correct personal data"),
    "correct.title": ("Sửa thông tin cá nhân", "Correct personal data"),
    "correct.hint": (
        "Việc sửa được ghi thành bản ghi mới, bản cũ vẫn còn trong lịch sử. Số CCCD xác định "
        "người nên không sửa được.",
        "A correction is a new record; the old one stays in the history. The citizen ID "
        "identifies the person and cannot be corrected.",
    ),
    "correct.submit": ("Ghi nhận việc sửa", "Record the correction"),
    # --- issue 16, item 5: e-mail of notices (infra/web/account.py, the inbox) ---
    "account.email_title": ("Nhận thông báo qua thư điện tử", "Notices by e-mail"),
    "account.email_hint": (
        "Khi một hồ sơ chuyển đến đơn vị, sắp đến hạn (còn 3 ngày làm việc) hoặc quá hạn, "
        "hệ thống gửi thư kèm đường dẫn tới hồ sơ. Để trống để không nhận thư.",
        "When a record becomes your unit's to do, is due in 3 working days, or is overdue, a "
        "message with its link is sent. Leave empty to receive none.",
    ),
    "account.email": ("Địa chỉ thư điện tử", "E-mail address"),
    "account.digest": (
        "Gộp thành một thư mỗi ngày (thay vì một thư cho mỗi thông báo)",
        "One message a day listing the notices (instead of one each)",
    ),
    "account.email_submit": ("Lưu", "Save"),
    "account.email_set": ("Đã lưu cách nhận thông báo.", "How you receive notices was saved."),
    "inbox.undeliverable": ("Thư không gửi được", "Messages that could not be delivered"),
    "inbox.undeliverable_hint": (
        "Máy chủ thư từ chối các địa chỉ này: người dùng hoặc quản trị viên cần sửa địa chỉ.",
        "The mail server refused these addresses: the user or an administrator should fix it.",
    ),
    "inbox.user": ("Người dùng", "User"),
    "inbox.answer": ("Trả lời của máy chủ thư", "The mail server's answer"),
    # --- issue 18, item 5: sensitive data in the read models (docs/privacy.md) ---
    "quota.small_count": ("dưới 3", "fewer than 3"),
    # --- issue 16: the grassroots committee's resolution, the recognition decision, and the
    # decision's number from the register (admpapers; infra/web/papers.py, docs/documents.md) ---
    "enum.grassroots_resolution": (
        "Nghị quyết đảng ủy cơ sở đề nghị kết nạp",
        "Grassroots committee's resolution proposing admission",
    ),
    "enum.recognition_decision": (
        "Quyết định công nhận đảng viên chính thức",
        "Decision recognising full membership",
    ),
    "papers.next": (
        "Bước này kết thúc bằng giấy tờ: ban hành ngay, số lấy từ sổ đăng ký văn bản",
        "This step ends in a paper: issue it now, numbered from the register",
    ),
    "review.decide_unnumbered": (
        "{committee} quyết định kết nạp ngày {day}; số quyết định lấy từ sổ đăng ký văn bản khi "
        "ban hành quyết định ngay sau bước này; ngày quyết định tính tuổi đảng; chi bộ tổ chức "
        "lễ kết nạp trong {wd} ngày làm việc kể từ khi nhận quyết định",
        "{committee} decides to admit on {day}; the decision's number comes from the register "
        "when its paper is issued right after this step; party age counts from the decision; "
        "the cell holds the ceremony within {wd} working days of receiving it",
    ),
    "record.decision": ("Quyết định kết nạp", "Admission decision"),
    "record.decision_paper": ("Số {symbol}, ngày {day}", "No. {symbol} of {day}"),
    "record.decision_unnumbered": (
        "Ngày {day} — chưa ban hành giấy tờ",
        "Of {day} — its paper not issued yet",
    ),
    "arg.number.decide": (
        "Số quyết định (chỉ khi đã ban hành ngoài hệ thống)",
        "Decision number (only if issued outside the system)",
    ),
    # --- issue 16: papers about an organization (infra/web/orgpapers.py) ---
    "enum.dissolution_decision": ("Quyết định giải thể chi bộ", "Dissolution decision"),
    "enum.quota_report": ("Báo cáo kết quả kết nạp đảng viên", "Yearly admissions report"),
    "orgpapers.decision": ("Quyết định giải thể", "Dissolution decision"),
    "orgpapers.not_issued": ("Chưa ban hành", "Not issued"),
    "orgpapers.open": ("Giấy tờ của chi bộ", "The cell's papers"),
    "orgpapers.issue_all": (
        "Ban hành quyết định giải thể cho các chi bộ đã giải thể",
        "Issue the dissolution decision of every dissolved cell",
    ),
    "orgpapers.quota_hint": (
        "Báo cáo chỉ nêu số liệu của năm {year} (không nêu tên người), tính đến ngày ban hành.",
        "The report states the counts of {year} (no names), up to its date.",
    ),
    # --- issue 16, item 5 (notices): the kinds of notice besides an escalation's level ---
    "notice.due_soon": ("Sắp đến hạn", "Due soon"),
    "notice.assignment": ("Việc mới của đơn vị", "New for your unit"),
    # --- issue 16: the transfer letter and the receiving committee's check (task "letter") ---
    "enum.transfer_letter": ("Giấy giới thiệu sinh hoạt đảng", "Transfer letter"),
    "arg.letter_code": (
        "Mã xác minh trên giấy giới thiệu (nếu giấy do hệ thống cấp)",
        "Verification code on the letter (if the system issued it)",
    ),
    # --- issue 18, item 4: access requests (infra/web/access_requests.py, docs/privacy.md) ---
    "access.title": ("Yêu cầu truy cập dữ liệu", "Data access requests"),
    "access.hint": (
        "Người có dữ liệu (hoặc người đại diện) có quyền xem và yêu cầu cung cấp dữ liệu cá nhân "
        "của mình. Ban Tổ chức ghi nhận yêu cầu, rồi tải tệp có toàn bộ dữ liệu hệ thống đang "
        "lưu về người này để giao; mỗi lần tải là một lần trả lời được ghi lại.",
        "The person (or their representative) may see and obtain their personal data. The "
        "organization department records the request, then downloads the file holding all the "
        "system keeps about this person to hand over; each download is a recorded answer.",
    ),
    "access.none": ("Chưa có yêu cầu nào", "No request yet"),
    "access.received": ("Nhận ngày {date}", "Received on {date}"),
    "access.state.received": ("Chưa trả lời", "Not answered yet"),
    "access.state.answered": (
        "Đã trả lời {count} lần, lần cuối ngày {date}",
        "Answered {count} times, last on {date}",
    ),
    "access.download": ("Tải tệp để giao (ZIP)", "Download the file to hand over (ZIP)"),
    "access.record": ("Ghi nhận yêu cầu", "Record the request"),
    "access.requested_by": ("Người yêu cầu là", "Requested by"),
    "access.requester_name": ("Họ tên người yêu cầu", "Name of the requester"),
    "access.requester_capacity": (
        "Tư cách đại diện (nếu là người đại diện)",
        "Capacity of a representative",
    ),
    "access.received_on": ("Ngày nhận yêu cầu", "Received on"),
    "access.channel": ("Hình thức gửi", "Channel"),
    "access.ground": ("Căn cứ pháp lý", "Legal ground"),
    "access.ground_default": (
        "Để trống căn cứ pháp lý để dùng căn cứ có hiệu lực vào ngày nhận yêu cầu.",
        "Leave the legal ground empty to use the one in force on the day it was received.",
    ),
    "access.auditor": (
        "Người kiểm tra xem được danh sách yêu cầu, không tải được dữ liệu cá nhân.",
        "Auditors see the list of requests, not the personal data.",
    ),
    "enum.data_subject": ("Chính người có dữ liệu", "The data subject"),
    "enum.representative": ("Người đại diện", "A representative"),
    "enum.in_person": ("Trực tiếp", "In person"),
    "enum.post": ("Qua bưu điện", "By post"),
    "enum.email": ("Thư điện tử", "E-mail"),
    "enum.online": ("Cổng dịch vụ công, trực tuyến", "Online, public-service portal"),
    "enum.pdp_law_2025": (
        "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, Điều 4",
        "Personal Data Protection Law 91/2025/QH15, Art. 4",
    ),
    "enum.pdp_decree_2023": (
        "Nghị định 13/2023/NĐ-CP, Điều 9 và 14",
        "Decree 13/2023/NĐ-CP, Art. 9 and 14",
    ),
    "event.AccessRequested": ("Nhận yêu cầu truy cập dữ liệu", "Access request received"),
    "event.AccessAnswered": ("Trả lời yêu cầu truy cập dữ liệu", "Access request answered"),
    "event.AccessRequestLogOpened": ("Mở danh mục yêu cầu", "Request list opened"),
    "event.AccessRequestFiled": ("Lưu yêu cầu", "Request filed"),
}


def t(lang: str, key: str, **values: object) -> str:
    """The text of `key` in `lang` (Vietnamese unless "en"), its placeholders filled. An
    unknown key shows as itself: visible, never a crash."""
    texts = CATALOG.get(key)
    if texts is None:
        return key
    text = texts[1] if lang == "en" else texts[0]
    return text.format(**values) if values else text


def label(lang: str, prefix: str, value: object) -> str:
    """The label of a domain value (`stage`, `step`, `role`…), or the value itself."""
    key = f"{prefix}.{value}"
    return t(lang, key) if key in CATALOG else str(value)


def rule_title(lang: str, rule_id: str) -> str:
    """A rule's title from the rulebook (domain.policy.RULES)."""
    rule = policy.RULES.get(rule_id)
    if rule is None:
        return rule_id
    return rule.title_en if lang == "en" else rule.title_vi


def rule_flag(lang: str, rule_id: str, on: date | None = None) -> str:
    """A rule's confidence where the rulebook is unsure of it (a point graded S or I) for an
    act of `on` (today in Vietnam by default), as `dangvien rules` shows it; "" when the
    rule is confirmed or is a guard of the process."""
    rule = policy.RULES.get(rule_id)
    day = on or datetime.now(VIETNAM).date()
    if rule is None or not rule.needs_verification_on(day):
        return ""
    return policy.confidence_label(rule, day, lang)


def number(lang: str, value: float | int | None, digits: int = 1) -> str:
    """A figure as people write it: 30,5 in Vietnamese, 30.5 in English."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}".replace(",", "." if lang == "vi" else ",")
    text = f"{value:,.{digits}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "vi" else text


def whole(value: float) -> int:
    """A forecast in whole people, halves up (Python's round() would take 8.5 to 8)."""
    return math.floor(value + 0.5)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# --- dates: dd/mm/yyyy everywhere ------------------------------------------------------------

DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def dmy(day: date | datetime | None) -> str:
    """dd/mm/yyyy; a moment is shown in Vietnam time with its hour."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        aware = day if day.tzinfo else day.replace(tzinfo=UTC)  # the databases keep UTC
        return aware.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    return day.strftime("%d/%m/%Y")


def end_of(day: date) -> datetime:
    """The last moment of a day in Vietnam: "as of 31/12" includes all of 31 December."""
    return datetime.combine(day + timedelta(days=1), time(0), VIETNAM) - timedelta(microseconds=1)


def parse_dmy(text: str, earliest: date = FIRST_DAY, latest: date = LAST_DAY) -> date | None:
    """A date typed as dd/mm/yyyy (also accepted: yyyy-mm-dd); None when it is not one, or
    falls outside the years the record knows (1930 to 2100 unless told: a far date would
    overflow the date arithmetic of a page)."""
    found = DMY.match(text)
    try:
        if found:
            day, month, year = (int(g) for g in found.groups())
            parsed = date(year, month, day)
        else:
            parsed = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed if earliest <= parsed <= latest else None
