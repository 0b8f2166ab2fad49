<?php
// Echoes the CGI params a web server sent and the request body it streamed, so that tests and the interop
// script can check both arrived intact.
header('Content-Type: text/plain; charset=utf-8');
header('X-Powered-By-Test: php-fpm');
if (isset($_GET['status'])) {
    http_response_code((int) $_GET['status']);
}
$names = ['GATEWAY_INTERFACE', 'SERVER_PROTOCOL', 'REQUEST_METHOD', 'SCRIPT_NAME', 'PATH_INFO', 'QUERY_STRING',
          'REQUEST_URI', 'DOCUMENT_URI', 'CONTENT_TYPE', 'CONTENT_LENGTH', 'SERVER_NAME', 'SERVER_PORT',
          'REMOTE_ADDR', 'HTTP_HOST', 'HTTP_X_CUSTOM', 'HTTP_PROXY', 'REQUEST_ID', 'HTTPS', 'WEB_SERVER_NAME'];
foreach ($names as $name) {
    echo $name, '=', $_SERVER[$name] ?? '(unset)', "\n";
}
echo "--body--\n";
echo file_get_contents('php://input');
