"""The public web pages: the list of services, each service's evidence, the methodology,
the changes, the open data, the suggestion form and the API reference's frame.

Server-rendered HTML that works without JavaScript: sorting and filtering are links and a
plain GET form, answered here. Each module renders one page from Jinja2 templates
(``api/templates/``, autoescaped). The pages obey the CSP the API sends on HTML (no inline
script or style; the stylesheet is ``/static/candor.css``), load nothing from elsewhere
and set no cookies. Each page is rendered once per dataset version and query, cached as
bytes, and served with an ETag like the JSON answers.
"""
