<?php
// A stand-in for the app tier, for .ci/interop/http.sh only: the guestbook API of foobar.com in a few lines of PHP
// behind real php-fpm, so that a browser can post through our web server before the real app server is running.
// /api/messages is the guestbook (messages kept in a JSON file next to this script); anything else is echo.php.
if (($_SERVER['PATH_INFO'] ?? '') !== '/messages') {
    require __DIR__ . '/echo.php';
    return;
}
$store = __DIR__ . '/messages.json';
$messages = file_exists($store) ? json_decode(file_get_contents($store), true) : [];
header('Content-Type: application/json');
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $in = json_decode(file_get_contents('php://input'), true);
    if (!is_array($in) || !is_string($in['author'] ?? null) || !is_string($in['body'] ?? null)) {
        http_response_code(400);
        echo json_encode(['error' => 'expected {"author":..., "body":...}']);
        return;
    }
    $message = ['id' => count($messages) + 1, 'author' => $in['author'], 'body' => $in['body'],
                'createdAt' => gmdate('Y-m-d\TH:i:s\Z')];
    $messages[] = $message;
    file_put_contents($store, json_encode($messages));
    http_response_code(201);
    echo json_encode($message);
    return;
}
echo json_encode(['messages' => array_reverse($messages)]);
