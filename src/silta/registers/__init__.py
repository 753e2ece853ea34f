"""The article's rules as data: customers, products, dimensions, and Finnish validators."""
