"""The us-east-1 edge stack (``stacks.edge.stack.EdgeStack``), one module per concern:

- ``waf.py``: the WAF web ACL (scope CLOUDFRONT), its rules and problem bodies, and its logging;
- ``distribution.py``: the CloudFront distribution, its default behaviour and the OAC origin;
- ``caching.py``: cache behaviours and cache policies for the catalogue's cached routes
  (``cache_paths.py`` orders their path patterns), and CloudFront's additional metrics;
- ``cloudfront_access_logs.py``: CloudFront access logs (standard logging v2) into CloudWatch Logs;
- ``api_keys.py``: the API-key CloudFront Function (cloudfront_functions/api_key.js) and its KeyValueStore;
- ``shield.py``: Shield Advanced protection of the distribution.

Each concern is a plain class that adds its resources to the stack itself, not a Construct: construct
paths, and so logical ids, stay exactly as deployed. CloudFront's invoke permission is another stack
(``stacks/cloudfront_access_stack.py``, deployed as EdgeAccess), in the home region.
"""
