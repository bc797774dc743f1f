"""The words people use for the domain's values, in Vietnamese and English: kinds of
organization, stages of a case, a member or a transfer, and steps. Refusals name values with
them (never a code name such as `introducers`), and the web shows the same words."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
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
    "stage.left": ("Đã ra khỏi Đảng", "Left the Party"),
    "stage.expelled": ("Đã bị khai trừ", "Expelled"),
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
    "step.submit_self_review": ("Nhận bản tự kiểm điểm", "Receive the self-review"),
    "step.record_helper_comments": (
        "Ghi nhận xét của đảng viên giúp đỡ",
        "Record the helper's comments",
    ),
    "step.record_probation_comments": (
        "Ghi ý kiến nhận xét của đoàn thể, nơi cư trú",
        "Record the unions' or the residence's comments",
    ),
    "step.exempt_comments": (
        "Miễn ý kiến nhận xét của đoàn thể hoặc nơi cư trú (ghi lý do)",
        "Exempt the unions' or the residence's comments (with the reason)",
    ),
    "step.record_departure": ("Ra khỏi Đảng, xóa tên, khai trừ", "Leaving the Party"),
    "step.record_expungement": ("Ghi ngày xóa án tích", "Record the expungement"),
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
    # --- where a cell works (domain.values.CellSetting) ---
    "setting.hamlet": ("Thôn", "Hamlet"),
    "setting.residential_group": ("Tổ dân phố", "Residential group"),
    "setting.commune_agency": ("Cơ quan xã", "Commune agency"),
    "setting.commune_military": ("Quân sự xã", "Commune military"),
    "setting.police": ("Công an", "Police"),
    "setting.school": ("Trường học", "School"),
    "setting.health_station": ("Trạm y tế", "Health station"),
    "setting.enterprise": ("Doanh nghiệp", "Enterprise"),
    "setting.cooperative": ("Hợp tác xã", "Cooperative"),
    "setting.public_service_unit": ("Đơn vị sự nghiệp", "Public service unit"),
    "setting.other": ("Khác", "Other"),
    # --- penalties (domain.policy.penalties_for) ---
    "penalty.reprimand": ("Khiển trách", "Reprimand"),
    "penalty.warning": ("Cảnh cáo", "Warning"),
    "penalty.dismissal": ("Cách chức", "Dismissal from office"),
}


def vi(prefix: str, value: object) -> str:
    """The Vietnamese name of a value (`stage`, `kind`, `step`), or the value itself."""
    return LABELS.get(f"{prefix}.{value}", (str(value), str(value)))[0]


def en(prefix: str, value: object) -> str:
    """The English name of a value, or the value itself."""
    return LABELS.get(f"{prefix}.{value}", (str(value), str(value)))[1]
