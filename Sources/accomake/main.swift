print("accomake")
