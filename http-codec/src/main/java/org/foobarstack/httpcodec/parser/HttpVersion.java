package org.foobarstack.httpcodec.parser;

/** The two protocol versions this server speaks on a connection (RFC 9112 §2.3). */
public enum HttpVersion {
    HTTP_1_0("HTTP/1.0"),
    HTTP_1_1("HTTP/1.1");

    private final String text;

    HttpVersion(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** HTTP/1.1 connections stay open unless closed; HTTP/1.0 ones close unless asked to stay (RFC 9112 §9.3). */
    public boolean persistentByDefault() {
        return this == HTTP_1_1;
    }

    @Override
    public String toString() {
        return text;
    }
}
