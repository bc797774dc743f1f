"""The words of the web UI in Vietnamese (first) and English, and the date format dd/mm/yyyy.

One catalog: a key names a text, `(vi, en)` are its two languages, `{name}` its placeholders
(the same in both). Labels of the domain's values (stages, steps, roles, breakdown groups…) are
keys too (`stage.course`, `step.record_certificate`), so a value without a label is caught by
the unit test, not by a user. Rule titles come from `domain.policy.RULES`, never from here.
"""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime, time, timedelta

from domain import policy
from domain.calendar import VIETNAM
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
    "timeline.recorded": ("Ghi nhận lúc", "Recorded at"),
    "timeline.who": ("Người thực hiện", "Who"),
    "timeline.rule_set": ("Bộ quy định", "Rule set"),
    "timeline.event": ("Sự kiện", "Event"),
    "timeline.facts": ("Nội dung", "Facts"),
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
    "dissolve.missing": (
        "Chọn chi bộ chuyển đến cho đảng viên này",
        "Choose the cell this member moves to",
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
    "audit.case_as_of": ("Hồ sơ tại một ngày", "A case as of a date"),
    "audit.case_id": ("Mã hồ sơ", "Case id"),
    "audit.date": ("Ngày (dd/mm/yyyy)", "Date (dd/mm/yyyy)"),
    "audit.as_of_result": (
        "Hồ sơ như đã biết cuối ngày {date} (sau sự kiện thứ {version})",
        "The case as known at the end of {date} (after its event {version})",
    ),
    "audit.timeline_title": ("Diễn biến của người", "Timeline of a person"),
    "audit.bad_citizen_id": (
        "Số CCCD gồm 12 chữ số (hoặc CMND 9 chữ số)",
        "A citizen ID is 12 digits (or 9 for an old ID card)",
    ),
    "audit.bad_case_id": ("Mã hồ sơ không hợp lệ", "Not a case id"),
    "audit.seal": (
        "Niêm phong hồ sơ gần nhất: {size} sự kiện, gốc {root}…, lúc {at}, khóa {key}",
        "Last seal of the record: {size} events, root {root}…, at {at}, key {key}",
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
    # --- organization kinds ---
    "kind.province_committee": ("Tỉnh ủy", "Province committee"),
    "kind.district_committee": ("Huyện ủy", "District committee"),
    "kind.commune_committee": ("Đảng ủy xã/phường", "Commune committee"),
    "kind.grassroots_committee": ("Đảng bộ cơ sở", "Grassroots committee"),
    "kind.grassroots_cell": ("Chi bộ cơ sở", "Grassroots cell"),
    "kind.intermediate_committee": ("Đảng bộ bộ phận", "Intermediate committee"),
    "kind.cell": ("Chi bộ", "Cell"),
    # --- stages of an admission case (domain.admission.Stage) ---
    "stage.course": ("Nguồn, học lớp nhận thức", "Source, awareness course"),
    "stage.application": ("Đơn xin vào Đảng", "Application letter"),
    "stage.background": ("Lý lịch", "Background declaration"),
    "stage.introducers": ("Người giới thiệu", "Introducers"),
    "stage.verification": ("Thẩm tra lý lịch", "Background verification"),
    "stage.comments": ("Ý kiến nhận xét", "Comments"),
    "stage.cell_vote": ("Chi bộ xét, biểu quyết", "Cell vote"),
    "stage.intermediate_appraisal": ("Đảng ủy bộ phận thẩm định", "Intermediate appraisal"),
    "stage.committee_vote": ("Đảng ủy cơ sở biểu quyết", "Grassroots committee vote"),
    "stage.decision": ("Chờ quyết định kết nạp", "Awaiting the decision"),
    "stage.ceremony": ("Chờ lễ kết nạp", "Awaiting the ceremony"),
    "stage.admitted": ("Đã kết nạp", "Admitted"),
    "stage.withdrawn": ("Rút hồ sơ", "Withdrawn"),
    "stage.rejected": ("Không kết nạp", "Rejected"),
    "stage.stopped": ("Dừng xem xét", "Stopped"),
    # --- members (domain.member.Status) and transfers (domain.transfer.TransferStage) ---
    "stage.probationary": ("Đảng viên dự bị", "Probationary member"),
    "stage.deadlock": ("Biểu quyết không đạt 3 lần", "Deadlocked votes"),
    "stage.full": ("Đảng viên chính thức", "Full member"),
    "stage.struck_off": ("Đã xóa tên", "Struck off"),
    "stage.in_transit": ("Thư giới thiệu đang chuyển", "Letter in transit"),
    "stage.letter_issued": ("Đảng viên giữ thư giới thiệu", "Letter issued"),
    "stage.presented": ("Đã nộp thư giới thiệu", "Letter presented"),
    "stage.active": ("Đang sinh hoạt tạm thời", "Temporary stay"),
    "stage.completed": ("Hoàn tất", "Completed"),
    "stage.cancelled": ("Đã hủy", "Cancelled"),
    # --- steps (one per class of domain/commands/, by its kind) ---
    "step.record_certificate": ("Ghi giấy chứng nhận học lớp nhận thức", "Record the certificate"),
    "step.submit_application": ("Nhận đơn xin vào Đảng", "Receive the application letter"),
    "step.declare_background": ("Nhận lý lịch", "Receive the background declaration"),
    "step.assign_introducer": ("Phân công người giới thiệu", "Assign an introducer"),
    "step.request_verification": ("Gửi thẩm tra lý lịch", "Request a verification"),
    "step.record_verification_result": (
        "Ghi kết quả thẩm tra",
        "Record a verification result",
    ),
    "step.exempt_family_side": ("Miễn thẩm tra một bên gia đình", "Exempt a side of the family"),
    "step.certify_background": ("Chứng nhận lý lịch", "Certify the background"),
    "step.record_comment": ("Ghi ý kiến nhận xét", "Record comments"),
    "step.summarize_comments": ("Tổng hợp ý kiến nhận xét", "Summarize the comments"),
    "step.record_cell_vote": ("Ghi biểu quyết của chi bộ", "Record the cell's vote"),
    "step.record_intermediate_appraisal": (
        "Ghi thẩm định của đảng ủy bộ phận",
        "Record the intermediate appraisal",
    ),
    "step.record_committee_vote": ("Ghi biểu quyết của đảng ủy", "Record the committee's vote"),
    "step.extend_decision_deadline": ("Gia hạn xét quyết định", "Extend the decision deadline"),
    "step.decide": ("Quyết định kết nạp", "Decide to admit"),
    "step.refuse": ("Không kết nạp", "Refuse"),
    "step.receive_decision": ("Chi bộ nhận quyết định", "The cell receives the decision"),
    "step.approve_ceremony_delay": ("Duyệt lùi lễ kết nạp", "Approve a later ceremony"),
    "step.hold_ceremony": ("Tổ chức lễ kết nạp", "Hold the ceremony"),
    "step.withdraw": ("Người xin vào Đảng rút hồ sơ", "Withdrawn by the applicant"),
    "step.stop": ("Dừng xem xét", "Stop the case"),
    "step.assign_helper": ("Phân công đảng viên giúp đỡ", "Assign a helper"),
    "step.complete_new_member_course": (
        "Hoàn thành lớp bồi dưỡng đảng viên mới",
        "New-member course completed",
    ),
    "step.record_review_vote": ("Ghi biểu quyết xét công nhận", "Record the review vote"),
    "step.extend_recognition_deadline": (
        "Gia hạn xét công nhận",
        "Extend the recognition deadline",
    ),
    "step.recognize": ("Công nhận đảng viên chính thức", "Recognize as full member"),
    "step.strike_off": ("Xóa tên khỏi danh sách dự bị", "Strike off"),
    "step.discipline": ("Kỷ luật", "Discipline"),
    "step.place_hold": ("Đang kiểm tra, khiếu nại, xem xét kỷ luật", "Place a hold"),
    "step.release_hold": ("Kết thúc kiểm tra, khiếu nại, kỷ luật", "Release a hold"),
    "step.exempt": ("Miễn sinh hoạt", "Exempt from activity"),
    "step.link_residence": ("Gắn với chi bộ nơi cư trú (213)", "Link the residence cell (213)"),
    "step.record_residence_comment": (
        "Ghi nhận xét của chi bộ nơi cư trú",
        "Record the residence comment",
    ),
    "step.forward_letter": ("Chuyển thư giới thiệu", "Forward the letter"),
    "step.present_letter": ("Đảng viên nộp thư giới thiệu", "The letter is presented"),
    "step.accept_transfer": ("Chi bộ tiếp nhận", "The cell accepts"),
    "step.end_temporary_transfer": ("Kết thúc sinh hoạt tạm thời", "End the temporary stay"),
    "step.record_portal_reference": ("Ghi mã hồ sơ trên Cổng dịch vụ công", "Portal reference"),
    "step.cancel_transfer": ("Hủy chuyển sinh hoạt", "Cancel the transfer"),
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
    "enum.full_member": ("Đảng viên chính thức", "Full member"),
    "enum.youth_union_executive": ("Ban chấp hành Đoàn cơ sở", "Youth-union executive"),
    "enum.trade_union_executive": ("Ban chấp hành Công đoàn cơ sở", "Trade-union executive"),
    "enum.workplace_organizations": (
        "Đoàn thể chính trị - xã hội nơi làm việc",
        "Organizations at the workplace",
    ),
    "enum.residence_cell": ("Chi ủy nơi cư trú", "Residence cell committee"),
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
    "event.LetterForwarded": ("Chuyển thư giới thiệu", "Letter forwarded"),
    "event.LetterPresented": ("Nộp thư giới thiệu", "Letter presented"),
    "event.MemberEnrolled": ("Vào danh sách chi bộ", "Member enrolled"),
    "event.MemberReleased": ("Ra khỏi danh sách chi bộ", "Member released"),
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


def number(lang: str, value: float | int | None, digits: int = 1) -> str:
    """A figure as people write it: 30,5 in Vietnamese, 30.5 in English."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}".replace(",", "." if lang == "vi" else ",")
    text = f"{value:,.{digits}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "vi" else text


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
