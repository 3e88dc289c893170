"""Route modules, one per area, with their page templates beside them.

The path parameters' shapes are registered here, before any route module builds its routes: a path
that cannot name a row (an id past what a column holds, a slug longer than any) is a 404 at routing,
never a 500 from the database.
"""

from starlette.convertors import IntegerConvertor, StringConvertor, register_url_convertor


class IdConvertor(IntegerConvertor):
    regex = "[0-9]{1,9}"  # every integer column holds nine digits (PostgreSQL's integer is 32-bit)


class SlugConvertor(StringConvertor):
    regex = "[^/]{1,160}"  # Product.slug (categories are found in the tree kept in memory)


class OrderNumberConvertor(StringConvertor):
    regex = "[^/]{1,16}"  # Order.number


register_url_convertor("id", IdConvertor())
register_url_convertor("slug", SlugConvertor())
register_url_convertor("order_number", OrderNumberConvertor())
