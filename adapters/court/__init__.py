"""The court adapter: 人民法院 case systems."""
