package io.madetask.bridge.testing;

/** Request bodies of the bridge's API, as the CRM would send them. */
public final class Bodies {

    /** A valid individual ИНН, card and account used across tests. */
    public static final String INN = "500100732259";
    public static final String CARD = "4111111111111111";
    public static final String ACCOUNT = "40817810099910004312";
    public static final String PHONE = "+79161234567";

    private Bodies() {
    }

    public static String executor(String fullName) {
        return executor(fullName, PHONE, "ivan@example.com", CARD);
    }

    public static String executor(String fullName, String phone, String email, String card) {
        return """
                {"fullName":"%s","phone":"%s","email":"%s","inn":"%s","taxStatus":"SELF_EMPLOYED",
                 "payoutMethod":{"type":"CARD","cardNumber":"%s"}}""".formatted(fullName, phone, email, INN, card);
    }

    public static String executorWithAccount(String fullName) {
        return """
                {"fullName":"%s","phone":"%s","email":"acc@example.com","inn":"%s","taxStatus":"SOLE_PROPRIETOR",
                 "payoutMethod":{"type":"BANK_ACCOUNT","accountNumber":"%s","bik":"044525225"}}"""
                .formatted(fullName, PHONE, INN, ACCOUNT);
    }

    public static String task(String executorCrmId, String title, String reward) {
        return """
                {"executorCrmId":"%s","title":"%s","description":"Do it well",
                 "reward":{"amount":"%s","currency":"RUB"},"deadline":"2026-12-31T18:00:00Z"}"""
                .formatted(executorCrmId, title, reward);
    }
}
