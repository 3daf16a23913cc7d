"""The procuratorate adapter: 人民检察院 case systems."""
