"""Words of the synthetic documents: agencies, places, numbers, dates and administrative prose.

Pure: a seeded ``random.Random`` in, NFC text out; ``samplegen.samples`` lays it out. The
patterns follow docs/DOMAIN.md (Decree 30/2020/NĐ-CP, Appendix I and III). Thư công and công
văn have no type abbreviation, so their ký hiệu is ``<agency>-<unit>`` like ``123/UBND-VP``.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass

# (name printed on its own line or None for a công văn, ký hiệu abbreviation, weight)
DOCUMENT_TYPES: tuple[tuple[str | None, str | None, int], ...] = (
    (None, None, 4),
    ("QUYẾT ĐỊNH", "QĐ", 4),
    ("THÔNG BÁO", "TB", 3),
    ("KẾ HOẠCH", "KH", 3),
    ("BÁO CÁO", "BC", 3),
    ("TỜ TRÌNH", "TTr", 2),
    ("GIẤY MỜI", "GM", 2),
    ("NGHỊ QUYẾT", "NQ", 1),
    ("CHỈ THỊ", "CT", 1),
    ("QUY CHẾ", "QC", 1),
    ("QUY ĐỊNH", "QyĐ", 1),
    ("THÔNG CÁO", "TC", 1),
    ("HƯỚNG DẪN", "HD", 1),
    ("CHƯƠNG TRÌNH", "CTr", 1),
    ("PHƯƠNG ÁN", "PA", 1),
    ("ĐỀ ÁN", "ĐA", 1),
    ("DỰ ÁN", "DA", 1),
    ("BIÊN BẢN", "BB", 1),
    ("HỢP ĐỒNG", "HĐ", 1),
    ("CÔNG ĐIỆN", "CĐ", 1),
    ("BẢN GHI NHỚ", "BGN", 1),
    ("BẢN THỎA THUẬN", "BTT", 1),
    ("GIẤY ỦY QUYỀN", "GUQ", 1),
    ("GIẤY GIỚI THIỆU", "GGT", 1),
    ("GIẤY NGHỈ PHÉP", "GNP", 1),
    ("PHIẾU GỬI", "PG", 1),
    ("PHIẾU CHUYỂN", "PC", 1),
    ("PHIẾU BÁO", "PB", 1),
    ("THƯ CÔNG", None, 1),
    ("GIẤY CHỨNG NHẬN", "GCN", 1),
    ("GIẤY PHÉP", "GP", 1),
)

# (tỉnh or thành phố, name, place printed before the date, districts, communes)
PROVINCES = (
    (
        "tỉnh",
        "Đồng Nai",
        "Biên Hòa",
        ("huyện Long Thành", "huyện Nhơn Trạch", "huyện Trảng Bom"),
        ("xã Phước Thiền", "xã Bình An", "xã Tam An"),
    ),
    (
        "tỉnh",
        "Bình Dương",
        "Thủ Dầu Một",
        ("huyện Bàu Bàng", "thị xã Bến Cát"),
        ("xã Lai Uyên", "xã An Điền"),
    ),
    (
        "tỉnh",
        "Khánh Hòa",
        "Nha Trang",
        ("huyện Diên Khánh", "huyện Cam Lâm"),
        ("xã Suối Tân", "xã Diên Phú"),
    ),
    (
        "tỉnh",
        "Nghệ An",
        "Vinh",
        ("huyện Nghi Lộc", "huyện Diễn Châu"),
        ("xã Nghi Phong", "xã Diễn Kỷ"),
    ),
    (
        "tỉnh",
        "Lâm Đồng",
        "Đà Lạt",
        ("huyện Đức Trọng", "huyện Lạc Dương"),
        ("xã Hiệp Thạnh", "xã Đạ Sar"),
    ),
    (
        "tỉnh",
        "Quảng Ninh",
        "Hạ Long",
        ("huyện Vân Đồn", "huyện Tiên Yên"),
        ("xã Đông Xá", "xã Phong Dụ"),
    ),
    (
        "tỉnh",
        "Thanh Hóa",
        "Thanh Hóa",
        ("huyện Quảng Xương", "huyện Thọ Xuân"),
        ("xã Quảng Hòa", "xã Xuân Lai"),
    ),
    (
        "tỉnh",
        "Đắk Lắk",
        "Buôn Ma Thuột",
        ("huyện Krông Pắc", "huyện Cư Kuin"),
        ("xã Ea Phê", "xã Dray Bhăng"),
    ),
    (
        "tỉnh",
        "Thừa Thiên Huế",
        "Huế",
        ("huyện Phú Vang", "thị xã Hương Thủy"),
        ("xã Phú Mỹ", "xã Thủy Phù"),
    ),
    (
        "tỉnh",
        "Bà Rịa - Vũng Tàu",
        "Bà Rịa",
        ("huyện Châu Đức", "huyện Xuyên Mộc"),
        ("xã Bình Ba", "xã Bưng Riềng"),
    ),
    (
        "thành phố",
        "Hà Nội",
        "Hà Nội",
        ("huyện Sóc Sơn", "huyện Gia Lâm"),
        ("xã Phù Linh", "xã Bát Tràng"),
    ),
    ("thành phố", "Đà Nẵng", "Đà Nẵng", ("huyện Hòa Vang",), ("xã Hòa Bắc", "xã Hòa Phong")),
    (
        "thành phố",
        "Cần Thơ",
        "Cần Thơ",
        ("huyện Phong Điền", "huyện Cờ Đỏ"),
        ("xã Nhơn Ái", "xã Trung Hưng"),
    ),
)
DEPARTMENTS = (  # sở of a province: (name, abbreviation)
    ("Sở Tư pháp", "STP"),
    ("Sở Tài chính", "STC"),
    ("Sở Nội vụ", "SNV"),
    ("Sở Xây dựng", "SXD"),
    ("Sở Y tế", "SYT"),
    ("Sở Giáo dục và Đào tạo", "SGDĐT"),
    ("Sở Công Thương", "SCT"),
    ("Sở Tài nguyên và Môi trường", "STNMT"),
    ("Sở Kế hoạch và Đầu tư", "SKHĐT"),
    ("Sở Thông tin và Truyền thông", "STTTT"),
    ("Sở Giao thông vận tải", "SGTVT"),
    ("Sở Nông nghiệp và Phát triển nông thôn", "SNN"),
    ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
    ("Sở Lao động - Thương binh và Xã hội", "SLĐTBXH"),
)
OFFICES = (  # phòng of a district
    ("Phòng Tư pháp", "PTP"),
    ("Phòng Tài chính - Kế hoạch", "TCKH"),
    ("Phòng Nội vụ", "PNV"),
    ("Phòng Tài nguyên và Môi trường", "TNMT"),
    ("Phòng Giáo dục và Đào tạo", "GDĐT"),
    ("Phòng Kinh tế và Hạ tầng", "KTHT"),
    ("Phòng Văn hóa và Thông tin", "VHTT"),
)
UNITS = ("VP", "KT", "TH", "NC", "HCTH", "XDCQ", "KGVX", "TCCB")
SURNAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Trương",
    "Đinh",
)
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Hữu", "Thành", "Xuân", "Thị Thu")
GIVEN = (
    "Hùng",
    "Dũng",
    "Hà",
    "Lan",
    "Tuấn",
    "Thắng",
    "Phương",
    "Hải",
    "Long",
    "Nam",
    "Hòa",
    "Thủy",
    "Bình",
    "Sơn",
    "Trung",
    "Hiếu",
    "Khánh",
    "Quang",
    "Việt",
    "Hạnh",
    "Tâm",
    "Cường",
)
TOPICS = (
    "số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "chuyển đổi số trong cơ quan nhà nước",
    "cải cách hành chính",
    "công tác văn thư, lưu trữ",
    "phổ biến, giáo dục pháp luật",
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "quản lý, sử dụng đất đai",
    "bảo vệ môi trường và ứng phó với biến đổi khí hậu",
    "xây dựng nông thôn mới",
    "phòng cháy, chữa cháy và cứu nạn, cứu hộ",
    "tiếp công dân, giải quyết khiếu nại, tố cáo",
    "bảo đảm an toàn thông tin mạng",
    "thực hiện cơ chế một cửa, một cửa liên thông",
    "phát triển kinh tế - xã hội",
    "quản lý thu ngân sách nhà nước",
    "an toàn vệ sinh thực phẩm",
    "đăng ký, quản lý hộ tịch",
    "kiểm soát thủ tục hành chính",
    "thực hành tiết kiệm, chống lãng phí",
    "cấp, quản lý căn cước và định danh điện tử",
)
ACTIONS = ("triển khai", "tăng cường", "đẩy mạnh", "tổ chức thực hiện", "nâng cao hiệu quả")
SUBJECTS: dict[str | None, tuple[str, ...]] = {
    None: (
        "V/v {action} {topic}",
        "V/v góp ý dự thảo Kế hoạch {topic}",
        "V/v báo cáo kết quả {topic} {period}",
    ),
    "QĐ": (
        "Về việc phê duyệt Kế hoạch {topic} năm {year}",
        "Về việc thành lập Tổ giúp việc về {topic}",
        "Về việc ban hành Quy chế {topic} trên địa bàn {area}",
        "Về việc kiện toàn Ban Chỉ đạo {topic}",
    ),
    "NQ": (
        "Về việc thông qua Đề án {topic} giai đoạn {year} - {year5}",
        "Về nhiệm vụ {topic} năm {year}",
    ),
    "CT": ("Về việc tăng cường {topic}", "Về việc đẩy mạnh {topic} trên địa bàn {area}"),
    "TB": ("Kết luận của {leader} tại cuộc họp về {topic}", "Về việc tổ chức {topic} năm {year}"),
    "KH": ("Triển khai {topic} trên địa bàn {area} năm {year}", "Thực hiện {topic} năm {year}"),
    "BC": ("Kết quả thực hiện {topic} {period}", "Tình hình {topic} {period}"),
    "TTr": (
        "Về việc đề nghị phê duyệt Kế hoạch {topic} năm {year}",
        "Về việc đề nghị bổ sung kinh phí thực hiện {topic}",
    ),
    "GM": ("Dự hội nghị triển khai {topic}", "Dự họp về {topic}"),
    "BB": ("Cuộc họp về {topic}", "Kiểm tra công tác {topic} tại {area}"),
    "CĐ": ("Về việc chủ động ứng phó với mưa lớn, lũ quét, sạt lở đất",),
    "GCN": ("Đăng ký hộ kinh doanh", "Cơ sở đủ điều kiện an toàn thực phẩm"),
    "GP": ("Xây dựng nhà ở riêng lẻ", "Khai thác, sử dụng nước dưới đất"),
    "GGT": ("Giới thiệu cán bộ liên hệ công tác về {topic}",),
    "GNP": ("Nghỉ phép năm {year}",),
}
DEFAULT_SUBJECTS = ("Về việc {action} {topic}", "Về {topic} trên địa bàn {area}")
BASES = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Căn cứ Luật Ban hành văn bản quy phạm pháp luật ngày 22 tháng 6 năm 2015;",
    "Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018 của Chính phủ về thực hiện cơ "
    "chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính;",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Căn cứ Thông tư số 01/2023/TT-VPCP ngày 05 tháng 4 năm 2023 của Văn phòng Chính phủ quy định "
    "một số nội dung và biện pháp thi hành trong số hóa hồ sơ, kết quả giải quyết thủ tục hành "
    "chính;",
)
SENTENCES = (
    "Các cơ quan, đơn vị, địa phương tập trung chỉ đạo, tổ chức thực hiện nghiêm túc, hiệu quả "
    "nhiệm vụ {topic}, bảo đảm đúng tiến độ và chất lượng.",
    "Tăng cường công tác kiểm tra, giám sát; kịp thời phát hiện, chấn chỉnh những tồn tại, hạn chế "
    "trong quá trình thực hiện.",
    "Định kỳ hằng quý báo cáo kết quả thực hiện về {org} trước ngày {day} tháng cuối quý để tổng "
    "hợp, báo cáo cấp có thẩm quyền.",
    "Đẩy mạnh ứng dụng công nghệ thông tin, chuyển đổi số trong giải quyết thủ tục hành chính; "
    "số hóa hồ sơ, kết quả giải quyết thủ tục hành chính theo quy định.",
    "Bố trí đủ nguồn lực, kinh phí để triển khai thực hiện các nhiệm vụ được giao theo quy định "
    "của pháp luật hiện hành.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị phản ánh kịp thời "
    "về {org} để được hướng dẫn, giải quyết.",
    "Người đứng đầu cơ quan, đơn vị chịu trách nhiệm nếu để xảy ra chậm trễ, sai sót trong tổ chức "
    "thực hiện nhiệm vụ được giao.",
    "Tổ chức tuyên truyền, phổ biến rộng rãi đến cán bộ, công chức, viên chức và Nhân dân trên địa "
    "bàn {area}.",
    "Phối hợp chặt chẽ với các sở, ban, ngành và Ủy ban nhân dân các cấp trong quá trình triển "
    "khai, bảo đảm thống nhất, đồng bộ.",
    "Rà soát, cập nhật, công khai đầy đủ, kịp thời các thủ tục hành chính thuộc thẩm quyền giải "
    "quyết trên Cổng Dịch vụ công quốc gia.",
    "Năm {year}, tỷ lệ hồ sơ được giải quyết đúng hạn đạt {pct}%, tăng {pct2}% so với cùng kỳ năm "
    "trước.",
    "Tổng số hồ sơ tiếp nhận trong kỳ là {n} hồ sơ, trong đó đã giải quyết {m} hồ sơ, đang giải "
    "quyết {k} hồ sơ.",
    "Bảo đảm an toàn, an ninh thông tin trong quá trình vận hành hệ thống thông tin giải quyết thủ "
    "tục hành chính.",
    "Nâng cao chất lượng đội ngũ cán bộ, công chức làm việc tại Bộ phận Một cửa, bảo đảm thái độ "
    "phục vụ tận tình, chu đáo.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách nhà nước năm {year} và các nguồn hợp pháp "
    "khác theo quy định.",
    "Việc lưu trữ hồ sơ điện tử phải bảo đảm tính xác thực, toàn vẹn, nhất quán và khả năng truy "
    "cập, sử dụng lâu dài.",
    "Kết quả số hóa được cập nhật vào kho quản lý dữ liệu điện tử của tổ chức, cá nhân để tái sử "
    "dụng khi thực hiện các thủ tục tiếp theo.",
    "Đến nay, {pct}% hồ sơ thủ tục hành chính đã được số hóa, {pct2}% kết quả giải quyết được cấp "
    "bản điện tử.",
    "Giao {org} chủ trì, phối hợp với các cơ quan liên quan theo dõi, đôn đốc, kiểm tra việc "
    "triển khai thực hiện.",
    "Công khai kết quả giải quyết hồ sơ trên Cổng thông tin điện tử để tổ chức, cá nhân theo dõi, "
    "giám sát.",
    "Xây dựng kế hoạch chi tiết, phân công cụ thể nhiệm vụ, thời hạn hoàn thành và trách nhiệm "
    "của từng tập thể, cá nhân.",
    "Chú trọng bồi dưỡng kỹ năng số cho cán bộ, công chức trực tiếp tiếp nhận và trả kết quả giải "
    "quyết thủ tục hành chính.",
    "Khen thưởng kịp thời các tập thể, cá nhân có thành tích tiêu biểu; xử lý nghiêm các trường "
    "hợp vi phạm.",
    "Một số chỉ tiêu chưa đạt so với kế hoạch đề ra do hạ tầng kỹ thuật còn hạn chế, nhân lực "
    "chuyên trách còn thiếu.",
    "Việc cập nhật, đồng bộ dữ liệu giữa các hệ thống thông tin có lúc còn chậm, chưa đáp ứng yêu "
    "cầu.",
    "Thời gian giải quyết thủ tục hành chính được rút ngắn bình quân {pct2}% so với quy định.",
    "Bảo đảm thời gian, chất lượng thực hiện, không để phát sinh hồ sơ trễ hạn do nguyên nhân chủ "
    "quan.",
    "Tham mưu sơ kết, đánh giá kết quả thực hiện và đề xuất giải pháp cho giai đoạn tiếp theo.",
    "Các đơn vị sự nghiệp công lập trực thuộc có trách nhiệm phối hợp cung cấp thông tin, số liệu "
    "khi có yêu cầu.",
    "Trường hợp hồ sơ quá hạn giải quyết, cơ quan giải quyết phải có văn bản xin lỗi tổ chức, cá "
    "nhân và hẹn lại thời gian trả kết quả.",
)
HEADINGS = {
    "KH": ("I. MỤC ĐÍCH, YÊU CẦU", "II. NHIỆM VỤ, GIẢI PHÁP", "III. TỔ CHỨC THỰC HIỆN"),
    "BC": ("I. KẾT QUẢ ĐẠT ĐƯỢC", "II. TỒN TẠI, HẠN CHẾ", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ"),
    "HD": ("I. PHẠM VI, ĐỐI TƯỢNG", "II. NỘI DUNG HƯỚNG DẪN", "III. TỔ CHỨC THỰC HIỆN"),
}
RECIPIENTS = {  # Nơi nhận items by the level of the issuing agency
    "province": (
        "- TT. Tỉnh ủy, TT. HĐND tỉnh;",
        "- Chủ tịch, các PCT UBND tỉnh;",
        "- Văn phòng UBND tỉnh;",
        "- Các sở, ban, ngành;",
        "- UBND các huyện, thành phố;",
        "- Cổng thông tin điện tử tỉnh;",
        "- Trung tâm Phục vụ hành chính công;",
    ),
    "department": (
        "- UBND tỉnh (để b/c);",
        "- Ban Giám đốc Sở;",
        "- Các phòng, đơn vị thuộc Sở;",
        "- Văn phòng UBND tỉnh;",
        "- Cổng thông tin điện tử Sở;",
    ),
    "district": (
        "- TT. Huyện ủy, TT. HĐND huyện;",
        "- Chủ tịch, các PCT UBND huyện;",
        "- Các phòng, ban thuộc huyện;",
        "- UBND các xã, thị trấn;",
        "- Bộ phận Một cửa huyện;",
    ),
    "commune": (
        "- UBND huyện (để b/c);",
        "- TT. Đảng ủy, TT. HĐND xã;",
        "- Chủ tịch, các PCT UBND xã;",
        "- Các ban, ngành, đoàn thể xã;",
        "- Bộ phận Một cửa xã;",
    ),
}


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "regular"  # regular | bold | italic | bolditalic
    align: str = "justify"  # justify | center | left
    indent: bool = True  # first-line indent
    optional: bool = False  # may be dropped to make the body fit its page(s)


@dataclass(frozen=True)
class Content:
    """Everything printed on one document, before layout. All strings NFC."""

    agency_parent: str | None  # "UBND TỈNH ĐỒNG NAI", printed above the agency
    agency_lines: tuple[str, ...]  # the agency's name as printed, bold
    code_number: str  # "05"
    code_notation: str  # "2024/QĐ-UBND": everything after the first slash
    place: str
    issued: dt.date
    type_name: str | None  # None for a công văn
    subject: str  # trích yếu; "V/v ..." for a công văn
    body: tuple[Paragraph, ...]
    recipients: tuple[str, ...]  # Nơi nhận items
    signer_lines: tuple[str, ...]  # "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"
    signer_name: str
    seal_text: str  # around the ring of the seal

    @property
    def organ_name(self) -> str:
        return " ".join(self.agency_lines)

    @property
    def number_line(self) -> str:
        return f"Số: {self.code_number}/{self.code_notation}"

    @property
    def date_line(self) -> str:
        return format_date_line(self.place, self.issued)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def format_date_line(place: str, date: dt.date) -> str:
    """'Biên Hòa, ngày 05 tháng 02 năm 2024': day < 10 and months 1-2 are zero-padded."""
    day = f"{date.day:02d}" if date.day < 10 else str(date.day)
    month = f"{date.month:02d}" if date.month <= 2 else str(date.month)
    return f"{place}, ngày {day} tháng {month} năm {date.year}"


def format_code_number(number: int) -> str:
    """Numbers below 10 get a leading zero (Decree 30/2020, Appendix I)."""
    return f"{number:02d}"


def grouped(number: int) -> str:
    """Thousands separated by dots, the Vietnamese way: 11705 -> '11.705'."""
    return f"{number:,}".replace(",", ".")


def break_balanced(text: str, max_chars: int) -> tuple[str, ...]:
    """Split a header line in two at the space that best balances the halves, if too long."""
    if len(text) <= max_chars or " " not in text:
        return (text,)
    spaces = [i for i, c in enumerate(text) if c == " "]
    cut = min(spaces, key=lambda i: max(i, len(text) - i - 1))
    return text[:cut], text[cut + 1 :]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _bare(unit: str) -> str:
    """'huyện Long Thành' -> 'Long Thành': the place name printed before the date."""
    for prefix in ("thị xã ", "huyện ", "xã "):
        unit = unit.removeprefix(prefix)
    return unit


def _agency(rng: random.Random, abbr: str | None) -> dict:
    level, province, capital, districts, communes = rng.choice(PROVINCES)
    prov_up = f"{level} {province}".upper()
    district = rng.choice(districts)
    commune = rng.choice(communes)
    chair = (("CHỦ TỊCH",), ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"))
    kind = "hdnd" if abbr == "NQ" else rng.choice(("ubnd", "so", "so", "huyen", "phong", "xa"))
    if kind == "hdnd":
        return dict(
            level="province",
            parent=None,
            lines=("HỘI ĐỒNG NHÂN DÂN", prov_up),
            abbr="HĐND",
            place=capital,
            area=f"{level} {province}",
            org=f"Hội đồng nhân dân {level} {province}",
            signer=rng.choice(chair),
            seal=f"HỘI ĐỒNG NHÂN DÂN {prov_up}",
        )
    if kind in ("ubnd", "huyen", "xa"):
        area = {"ubnd": f"{level} {province}", "huyen": district, "xa": commune}[kind]
        place = {"ubnd": capital, "huyen": _bare(district), "xa": _bare(commune)}[kind]
        signer = rng.choice(chair)
        if rng.random() < 0.7:
            signer = ("TM. ỦY BAN NHÂN DÂN", *signer)
        return dict(
            level={"ubnd": "province", "huyen": "district", "xa": "commune"}[kind],
            parent=None,
            lines=("ỦY BAN NHÂN DÂN", area.upper()),
            abbr="UBND",
            place=place,
            area=area,
            org=f"Ủy ban nhân dân {area}",
            signer=signer,
            seal=f"ỦY BAN NHÂN DÂN {area.upper()}",
        )
    if kind == "so":
        name, short = rng.choice(DEPARTMENTS)
        signer = rng.choice((("GIÁM ĐỐC",), ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")))
        return dict(
            level="department",
            parent=f"UBND {prov_up}",
            lines=break_balanced(name.upper(), 26),
            abbr=short,
            place=capital,
            area=f"{level} {province}",
            org=name,
            signer=signer,
            seal=f"{name.upper()} {prov_up}",
        )
    name, short = rng.choice(OFFICES)
    signer = rng.choice((("TRƯỞNG PHÒNG",), ("KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG")))
    return dict(
        level="district",
        parent=f"UBND {district.upper()}",
        lines=break_balanced(name.upper(), 26),
        abbr=short,
        place=_bare(district),
        area=district,
        org=name,
        signer=signer,
        seal=f"{name.upper()} {district.upper()}",
    )


class _Prose:
    """Sentences drawn without repetition until the stock runs out, then from a new shuffle."""

    def __init__(self, rng: random.Random, slots: dict) -> None:
        self._rng, self._slots, self._stock = rng, slots, []

    def __call__(self, count: int) -> str:
        out = []
        for _ in range(count):
            if not self._stock:
                self._stock = self._rng.sample(SENTENCES, len(SENTENCES))
            out.append(self._stock.pop().format(**self._slots))
        return " ".join(out)


def _decision_body(rng, abbr, agency, slots, prose, subject, sections) -> list[Paragraph]:
    head = {"department": "GIÁM ĐỐC ", "district": "TRƯỞNG "}.get(agency["level"], "")
    if agency["abbr"] in ("UBND", "HĐND"):
        head = ""
    word = "Nghị quyết" if abbr == "NQ" else "Quyết định"
    paras = [Paragraph(head + agency["org"].upper(), "bold", "center", False)]
    bases = sorted(rng.sample(range(len(BASES)), rng.randint(2, 4)))
    paras += [Paragraph(BASES[i], "italic") for i in bases]
    when = f"ngày {rng.randint(10, 28)} tháng {slots['month']} năm {slots['year']}"
    if abbr == "NQ":
        paras.append(
            Paragraph(
                f"Xét Tờ trình số {rng.randint(10, 300)}/TTr-UBND {when} của Ủy ban nhân dân "
                f"{slots['area']}; Báo cáo thẩm tra của Ban Kinh tế - Ngân sách; ý kiến thảo luận "
                "của đại biểu Hội đồng nhân dân tại kỳ họp.",
                "italic",
            )
        )
    else:
        paras.append(
            Paragraph(
                f"Theo đề nghị của Chánh Văn phòng tại Tờ trình số "
                f"{rng.randint(10, 300)}/TTr-{agency['abbr']} {when}.",
                "italic",
            )
        )
    enact = "QUYẾT NGHỊ:" if abbr == "NQ" else "QUYẾT ĐỊNH:"
    paras.append(Paragraph(enact, "bold", "center", False))
    action = subject.removeprefix("Về việc ").removeprefix("Về ")
    paras.append(
        Paragraph(f"Điều 1. {action[0].upper()}{action[1:]} (chi tiết kèm theo {word} này).")
    )
    paras += [
        Paragraph(f"{i + 1}. {prose(rng.randint(1, 2))}", optional=i > 0) for i in range(sections)
    ]
    paras.append(Paragraph(f"Điều 2. {word} này có hiệu lực kể từ ngày ký."))
    paras.append(
        Paragraph(
            f"Điều 3. Chánh Văn phòng, Thủ trưởng các cơ quan, đơn vị và cá nhân có "
            f"liên quan chịu trách nhiệm thi hành {word} này./."
        )
    )
    return paras


def _plain_body(rng, type_name, abbr, agency, slots, prose, sections) -> list[Paragraph]:
    paras = []
    if abbr == "TTr":
        to = "Hội đồng nhân dân" if agency["abbr"] == "UBND" else "Ủy ban nhân dân"
        paras.append(Paragraph(f"Kính gửi: {to} {slots['area']}", "regular", "center", False))
    elif type_name is None or abbr in ("GM", "GGT"):
        paras.append(
            Paragraph(
                f"Kính gửi: Các cơ quan, đơn vị trên địa bàn {slots['area']}",
                "regular",
                "center",
                False,
            )
        )
    kind = (type_name or "công văn").lower()
    paras.append(
        Paragraph(
            f"Thực hiện chỉ đạo của cấp có thẩm quyền về {slots['topic']}, "
            f"{agency['org']} ban hành {kind} với các nội dung như sau:"
        )
    )
    headings = HEADINGS.get(abbr or "", ())
    starts = {round(j * sections / len(headings)): h for j, h in enumerate(headings)}
    number = 0
    for i in range(sections):
        if i in starts:  # a heading is dropped together with the item that follows it
            paras.append(Paragraph(starts[i], "bold", "left", True, optional=i > 0))
            number = 0
        number += 1
        paras.append(Paragraph(f"{number}. {prose(rng.randint(1, 3))}", optional=i > 0))
    paras.append(
        Paragraph(
            f"Trên đây là {kind} của {agency['org']}, đề nghị các cơ quan, đơn vị "
            f"quan tâm, phối hợp thực hiện./."
        )
    )
    return paras


def compose(rng: random.Random, *, long: bool = False) -> Content:
    """One document's content; ``long`` gives enough body for a second page."""
    type_name, abbr, _ = rng.choices(DOCUMENT_TYPES, weights=[t[2] for t in DOCUMENT_TYPES])[0]
    agency = _agency(rng, abbr)
    issued = dt.date(rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28))
    number = rng.randint(1, 40) if rng.random() < 0.5 else rng.randint(41, 2500)
    if abbr is None:
        notation = f"{agency['abbr']}-{rng.choice(UNITS)}"
    elif abbr in ("QĐ", "NQ", "CT") and rng.random() < 0.5:
        notation = f"{issued.year}/{abbr}-{agency['abbr']}"
    else:
        notation = f"{abbr}-{agency['abbr']}"
    slots = dict(
        topic=rng.choice(TOPICS),
        action=rng.choice(ACTIONS),
        area=agency["area"],
        org=agency["org"],
        year=issued.year,
        year5=issued.year + 5,
        month=issued.month,
        day=rng.randint(15, 25),
        pct=rng.randint(70, 99),
        pct2=rng.randint(2, 15),
        n=grouped(n := rng.randint(800, 20000)),
        m=grouped(m := rng.randint(n // 2, n)),
        k=grouped(n - m),
        leader=f"Phó Chủ tịch UBND {agency['area']}",
        period=rng.choice(
            (f"6 tháng đầu năm {issued.year}", f"năm {issued.year - 1}", f"quý I năm {issued.year}")
        ),
    )
    subject = rng.choice(SUBJECTS.get(abbr, DEFAULT_SUBJECTS) if type_name else SUBJECTS[None])
    subject = subject.format(**slots)
    sections = rng.randint(9, 12) if long else rng.randint(2, 4)
    prose = _Prose(rng, slots)
    if abbr in ("QĐ", "NQ"):
        body = _decision_body(rng, abbr, agency, slots, prose, subject, sections)
    else:
        body = _plain_body(rng, type_name, abbr, agency, slots, prose, sections)
    recipients = (
        "- Như trên;",
        *rng.sample(RECIPIENTS[agency["level"]], rng.randint(2, 4)),
        f"- Lưu: VT, {rng.choice(UNITS)}.",
    )
    return Content(
        agency_parent=nfc(agency["parent"]) if agency["parent"] else None,
        agency_lines=tuple(nfc(line) for line in agency["lines"]),
        code_number=format_code_number(number),
        code_notation=nfc(notation),
        place=nfc(agency["place"]),
        issued=issued,
        type_name=nfc(type_name) if type_name else None,
        subject=nfc(subject),
        body=tuple(Paragraph(nfc(p.text), p.style, p.align, p.indent, p.optional) for p in body),
        recipients=tuple(nfc(r) for r in recipients),
        signer_lines=tuple(nfc(s) for s in agency["signer"]),
        signer_name=nfc(_name(rng)),
        seal_text=nfc(agency["seal"]),
    )
