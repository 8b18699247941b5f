"""The use cases that cross domains, one function each, called by both doors (web/ pages and the api/ JSON API):
submit-and-finish (delivery, scoring, certificates) and rescore (scoring, certificates). Above the domains they
join, so that scoring never reaches up to certificates."""
