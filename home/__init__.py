"""home — the top floor: the 首页, the reports page and annual workbook, seed_demo."""
