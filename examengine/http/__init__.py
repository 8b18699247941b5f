"""What both doors (the HTML pages in web/ and the JSON API in api/) share: the request's services and principal,
path parameters, the JSON reader and the public address. Below both doors, so that neither imports the other."""
