"""The word lists of the synthetic documents: document types, provinces and their agencies,
people's names, topics, subjects, sentences, headings and recipients (docs/DOMAIN.md; Decree
30/2020/NĐ-CP, Appendix I and III). ``samplegen.text`` composes documents from them."""

from __future__ import annotations

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
